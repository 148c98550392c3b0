"""Fixtures of the page tests.

The browser fixtures come from ``tests/browser.py``; once ``tests/conftest.py`` registers it
as a plugin (``pytest_plugins = ["tests.browser"]``) the import below can go.
"""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from tests.browser import browser, page

__all__ = ["browser", "page"]


@pytest.fixture(autouse=True)
def test_hosts(settings: Settings) -> None:
    """The ``world`` Mandanten answer on a.test and b.test."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".test"]
