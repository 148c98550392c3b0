"""Fixtures of the page tests (the browser fixtures are registered in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from pytest_django.fixtures import Settings


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
    """Any host under .test is allowed (betrieb.test is a host that belongs to no Mandant)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".test"]
