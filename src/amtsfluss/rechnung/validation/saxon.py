"""The one Saxon processor of this process, and warm compiled stylesheets.

SaxonC (GraalVM) must not be instantiated per thread: one ``PySaxonProcessor`` per process,
created lazily, and every use goes through :data:`LOCK`. Stylesheets are compiled once and kept
by path. After the first batch of stylesheets is compiled, :func:`lock_protocols` sets Saxon's
``allowedProtocols`` to the empty string; from then on no stylesheet, document or function
(``doc()``, ``unparsed-text()`` …) can read a file or the network. The lock is one-way in
SaxonC 13: a process cannot compile further stylesheets from files afterwards.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from amtsfluss.core.errors import ServiceError

ALLOWED_PROTOCOLS = "http://saxon.sf.net/feature/allowedProtocols"

LOCK = threading.RLock()
_processor: Any = None
_stylesheets: dict[Path, Any] = {}
_locked = False


def processor() -> Any:
    """The process-wide ``PySaxonProcessor`` (created on first use). Call with LOCK held."""
    global _processor
    if _processor is None:
        from saxonche import PySaxonProcessor  # type: ignore[import-not-found]

        _processor = PySaxonProcessor(license=False)
    return _processor


def stylesheet(path: Path) -> Any:
    """The compiled stylesheet at ``path`` (compiled once). Call with LOCK held."""
    path = path.resolve()
    executable = _stylesheets.get(path)
    if executable is None:
        if _locked:
            raise ServiceError(
                "Saxon ist bereits gegen Dateizugriffe gesperrt; ein weiteres Regelwerk kann "
                "erst nach einem Neustart des Prozesses geladen werden.",
                code="rules_locked",
            )
        executable = (
            processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))
        )
        _stylesheets[path] = executable
    return executable


def lock_protocols() -> None:
    """Forbid Saxon any external resource access (files, network). Irreversible."""
    global _locked
    with LOCK:
        processor().set_configuration_property(ALLOWED_PROTOCOLS, "")
        _locked = True


def is_locked() -> bool:
    return _locked
