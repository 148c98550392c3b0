"""Fixtures of the page tests.

The browser fixtures come from ``tests/browser.py``; once ``tests/conftest.py`` registers it
as a plugin (``pytest_plugins = ["tests.browser"]``) the import below can go.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from pytest_django.fixtures import Settings

from tests.browser import browser, page

__all__ = ["browser", "page"]


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """The pages are German first: a missing or stale ``.mo`` fails loudly, not as odd diffs."""
    for locale_dir in django_settings.LOCALE_PATHS:
        for po in Path(locale_dir).glob("*/LC_MESSAGES/django.po"):
            mo = po.with_suffix(".mo")
            if not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime:
                pytest.fail(
                    f"{mo} is missing or older than its .po: run "
                    "`.venv/bin/amtsfluss compilemessages --ignore=.venv --ignore=node_modules` "
                    "(`make install-test` does it).",
                    pytrace=False,
                )


@pytest.fixture(autouse=True)
def test_hosts(settings: Settings) -> None:
    """The ``world`` Mandanten answer on a.test and b.test."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".test"]


@pytest.fixture(autouse=True)
def restore_language() -> Iterator[None]:
    """LocaleMiddleware leaves the last request's language active on the thread; page tests
    switch languages, so they put back what was active before for the tests that follow."""
    before = translation.get_language()
    yield
    translation.activate(before)
