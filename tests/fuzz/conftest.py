"""The fuzz targets' seeds (``fuzz/fuzz_support.py``) for the regression tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"


def fuzz_support() -> ModuleType:
    """``fuzz/fuzz_support.py``, loaded from its path (``fuzz/`` is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("fuzz_support", FUZZ / "fuzz_support.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
