"""Test settings: SQLite by default, PostgreSQL when AMTSFLUSS_TEST_DATABASE_URL is set."""

import tempfile
from pathlib import Path

from amtsfluss.config import env_str
from amtsfluss.settings.base import *  # noqa: F403
from amtsfluss.settings.base import AMTSFLUSS_BLOBS, database_from_env

SECRET_KEY = "test-only-secret-key-that-is-long-enough-for-django-checks-0123456789"  # noqa: S105
DATA_DIR = Path(tempfile.mkdtemp(prefix="amtsfluss-test-"))
DATABASES = {
    "default": database_from_env(env_str("AMTSFLUSS_TEST_DATABASE_URL"))
    if env_str("AMTSFLUSS_TEST_DATABASE_URL")
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "test.sqlite3"),
        "TEST": {"NAME": str(DATA_DIR / "test-db.sqlite3")},
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}
AMTSFLUSS_BLOBS = {**AMTSFLUSS_BLOBS, "DIRECTORY": str(DATA_DIR / "blobs")}
ALLOWED_HOSTS = ["a.test", "b.test", "testserver", "localhost", "127.0.0.1"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir()
AMTSFLUSS_PERIODIC_JOBS = False  # tests enqueue periodic jobs explicitly
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# browser tests on a live server share one client address and a cache the test's rollback does
# not empty; the rate-limit tests set their own rate
AMTSFLUSS_ANTRAG_RATE = "1000/m"
