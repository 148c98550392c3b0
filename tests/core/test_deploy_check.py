"""``amtsfluss check --deploy`` is clean for the production settings (ASVS, Django's checklist)."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys

import pytest

#: Django's check wants >= 50 characters and >= 5 distinct ones; no "django-insecure-" prefix
KEY_ALPHABET = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AMTSFLUSS_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        AMTSFLUSS_SETTINGS="production",
        AMTSFLUSS_SECRET_KEY="".join(secrets.choice(KEY_ALPHABET) for _ in range(60)),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/amtsfluss_deploycheck",
        AMTSFLUSS_ALLOWED_HOSTS="amt.example",
    )
    env.update(overrides)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "amtsfluss.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_production_settings_pass_the_deploy_check() -> None:
    result = check_deploy(production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    ("overrides", "issue"),
    [
        ({"AMTSFLUSS_SSL_REDIRECT": "0"}, "security.W008"),
        ({"AMTSFLUSS_HSTS_SECONDS": "0"}, "security.W004"),
    ],
)
def test_weakening_production_settings_fails_the_deploy_check(
    overrides: dict[str, str], issue: str
) -> None:
    """The check is live: turning a protection off is reported and fails the run."""
    result = check_deploy(production_env(**overrides))

    assert result.returncode == 1
    assert issue in result.stderr


@pytest.mark.parametrize("key", ["", "too-short-0123456789"])
def test_production_refuses_to_start_without_a_long_secret_key(key: str) -> None:
    result = check_deploy(production_env(AMTSFLUSS_SECRET_KEY=key))

    assert result.returncode != 0
    assert "AMTSFLUSS_SECRET_KEY must be set to at least 50 random characters" in result.stderr
