"""The one Saxon processor of this process, and warm compiled stylesheets.

SaxonC (GraalVM) must not be instantiated per thread: one ``PySaxonProcessor`` per process,
created lazily, and every use goes through :data:`LOCK`. Stylesheets are compiled once and kept
by path; XPath processors are kept per set of namespace declarations and cache what they
compile. After the first batch of stylesheets is compiled, :func:`lock_protocols` sets Saxon's
``allowedProtocols`` to the empty string; from then on no stylesheet, document or function
(``doc()``, ``unparsed-text()`` …) can read a file or the network. The lock is one-way in
SaxonC 13: a process cannot compile further stylesheets from files afterwards (stylesheets
from text without imports still compile: :func:`stylesheet_text`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.validation import codelists

ALLOWED_PROTOCOLS = "http://saxon.sf.net/feature/allowedProtocols"

LOCK = threading.RLock()
_processor: Any = None
_stylesheets: dict[Path, Any] = {}
_texts: dict[str, Any] = {}
_xpaths: dict[tuple[tuple[str, str], ...], Any] = {}
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
    executable = _stylesheets.get(path)  # warm: no resolve() (a few syscalls) per call
    if executable is not None:
        return executable
    path = path.resolve()
    executable = _stylesheets.get(path)
    if executable is None:
        if _locked:
            raise ServiceError(
                "Saxon ist bereits gegen Dateizugriffe gesperrt; ein weiteres Regelwerk kann "
                "erst nach einem Neustart des Prozesses geladen werden.",
                code="rules_locked",
            )
        executable = _compile(path)
        _stylesheets[path] = executable
    return executable


def _compile(path: Path) -> Any:
    """Compile a stylesheet file; one whose code-list tests can be answered by map lookups is
    compiled rewritten (``codelists``: same results, a fraction of the time on long invoices)."""
    optimised = codelists.optimise(path.read_bytes(), base_uri=path.as_uri())
    compiler = processor().new_xslt30_processor()
    if not optimised.rewrites:
        return compiler.compile_stylesheet(stylesheet_file=str(path))
    return compiler.compile_stylesheet(stylesheet_text=optimised.text, encoding="UTF-8")


def stylesheet_text(key: str, text: str) -> Any:
    """A stylesheet compiled from ``text`` once per ``key``. Call with LOCK held.

    Such a stylesheet must not import or read anything; it can therefore be compiled after
    :func:`lock_protocols` too (amtsfluss's own small stylesheets, e.g. the scenario selector).
    """
    executable = _texts.get(key)
    if executable is None:
        executable = processor().new_xslt30_processor().compile_stylesheet(stylesheet_text=text)
        _texts[key] = executable
    return executable


def xpath(namespaces: Mapping[str, str]) -> Any:
    """An XPath processor with these namespace declarations, kept per declaration set and
    caching its compiled expressions. Set its context before each use. Call with LOCK held."""
    key = tuple(sorted(namespaces.items()))
    found = _xpaths.get(key)
    if found is None:
        found = processor().new_xpath_processor()
        for prefix, uri in key:
            found.declare_namespace(prefix, uri)
        found.set_caching(True)
        _xpaths[key] = found
    return found


def lock_protocols() -> None:
    """Forbid Saxon any external resource access (files, network). Irreversible."""
    global _locked
    with LOCK:
        processor().set_configuration_property(ALLOWED_PROTOCOLS, "")
        _locked = True


def is_locked() -> bool:
    return _locked
