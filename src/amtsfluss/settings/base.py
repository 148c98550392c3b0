"""Settings shared by every preset; values come from the environment (docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from amtsfluss.config import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(env_str("AMTSFLUSS_DATA_DIR", "var")).resolve()
NODE_MODULES_DIR = Path(env_str("AMTSFLUSS_NODE_MODULES", str(REPO_DIR / "node_modules")))

DEBUG = env_bool("AMTSFLUSS_DEBUG", False)
ALLOWED_HOSTS = env_list("AMTSFLUSS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("AMTSFLUSS_CSRF_TRUSTED_ORIGINS")
#: e.g. HTTP_X_REAL_IP behind a reverse proxy; audit events record the client address from it
AMTSFLUSS_CLIENT_ADDRESS_HEADER = env_str("AMTSFLUSS_CLIENT_ADDRESS_HEADER")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "ninja",
    "amtsfluss.core",
    "amtsfluss.akte",
    "amtsfluss.rechnung",
    "amtsfluss.suche",
    "amtsfluss.posteingang",
    "amtsfluss.dienste",
    "amtsfluss.postfach",
    "amtsfluss.konto",
    "amtsfluss.bescheid",
    "amtsfluss.kasse",
    "amtsfluss.siegel",
    "amtsfluss.web",
]

MIDDLEWARE = [
    "amtsfluss.web.health.HealthProbeMiddleware",  # probes by IP over HTTP: before host checks
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "amtsfluss.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "amtsfluss.core.middleware.MandantMiddleware",
    "amtsfluss.core.middleware.SessionTimeoutMiddleware",
    "amtsfluss.core.middleware.RequireMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "amtsfluss.urls"
WSGI_APPLICATION = "amtsfluss.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:staff-home"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amtsfluss.web.context_processors.mandant",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": env_int("AMTSFLUSS_SQLITE_BUSY_TIMEOUT", 20),
}


def database_from_env(url: str) -> dict[str, object]:
    """One DATABASES entry: PostgreSQL (or SQLite) from a URL, else the embedded SQLite file."""
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = dict(SQLITE_OPTIONS)
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "amtsfluss.sqlite3"),
        # kept open across requests and tasks, as PostgreSQL's: opening one and setting its
        # PRAGMAs again for every request and every task cost about 2 ms each time
        "CONN_MAX_AGE": 60,
        "OPTIONS": dict(SQLITE_OPTIONS),
    }


DATABASES = {"default": database_from_env(env_str("DATABASE_URL"))}

# --- auth and sessions ------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["amtsfluss.core.auth_backend.MandantModelBackend"]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("AMTSFLUSS_SESSION_ABSOLUTE_SECONDS", 10 * 3600)
AMTSFLUSS_SESSION_IDLE_SECONDS = env_int("AMTSFLUSS_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "amtsfluss_session"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "amtsfluss_csrf"
AMTSFLUSS_LOGIN_MAX_FAILURES = env_int("AMTSFLUSS_LOGIN_MAX_FAILURES", 5)
AMTSFLUSS_LOGIN_WINDOW_SECONDS = env_int("AMTSFLUSS_LOGIN_WINDOW_SECONDS", 15 * 60)
AMTSFLUSS_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("AMTSFLUSS_LOGIN_MAX_FAILURES_PER_ADDRESS", 30)
AMTSFLUSS_REQUIRE_MFA = env_bool("AMTSFLUSS_REQUIRE_MFA", False)
OTP_TOTP_ISSUER = "amtsfluss"

# --- cache: rate limits and spent proof-of-work challenges (web/schutz) ----------------------
# Shared by every process and machine: the database by default (the table is created by
# `migrate`, see konto.apps), Redis with AMTSFLUSS_CACHE_URL=redis://… (needs redis-py).
AMTSFLUSS_CACHE_URL = env_str("AMTSFLUSS_CACHE_URL")
CACHES: dict[str, dict[str, object]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "amtsfluss_cache",
        # culling removes expired rows first; live counters and spent challenges only go when
        # more than this many are alive. Every write counts the rows, so not much higher.
        "OPTIONS": {"MAX_ENTRIES": env_int("AMTSFLUSS_CACHE_MAX_ENTRIES", 100_000)},
    }
}
if AMTSFLUSS_CACHE_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": AMTSFLUSS_CACHE_URL,
    }
#: proof of work (web/schutz/pow.py): leading zero bits, lifetime, the no-JavaScript wait
AMTSFLUSS_POW_DIFFICULTY = env_int("AMTSFLUSS_POW_DIFFICULTY", 16)
AMTSFLUSS_POW_TTL_SECONDS = env_int("AMTSFLUSS_POW_TTL_SECONDS", 2 * 3600)
AMTSFLUSS_POW_NOJS_WAIT_SECONDS = env_int("AMTSFLUSS_POW_NOJS_WAIT_SECONDS", 30)
#: citizen accounts (konto): how long the e-mail confirmation and the password reset links work
AMTSFLUSS_KONTO_VERIFY_SECONDS = env_int("AMTSFLUSS_KONTO_VERIFY_SECONDS", 48 * 3600)
AMTSFLUSS_KONTO_RESET_SECONDS = env_int("AMTSFLUSS_KONTO_RESET_SECONDS", 3600)
#: applications sent per client address (dienste.views.status.einreichen)
AMTSFLUSS_ANTRAG_RATE = env_str("AMTSFLUSS_ANTRAG_RATE", "20/h")
#: online payment platform (kasse/epay.py, ePayBL-like over HTTP/JSON); no URL: no online payment
AMTSFLUSS_EPAY_URL = env_str("AMTSFLUSS_EPAY_URL")
AMTSFLUSS_EPAY_SECRET = env_str("AMTSFLUSS_EPAY_SECRET")
AMTSFLUSS_EPAY_HAENDLER = env_str("AMTSFLUSS_EPAY_HAENDLER", "amtsfluss")

# --- security headers -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    # the Vorgang page frames its own PDF view (/intern/dokumentversionen/<id>/ansicht); implied
    # by default-src 'self' already, said explicitly so that nobody narrows it by accident
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- static files (KERN UX and htmx come from node_modules, installed by the build) -----------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("AMTSFLUSS_STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [
    (prefix, str(NODE_MODULES_DIR / relative))
    for prefix, relative in (("kern", "@kern-ux/native/dist"), ("htmx", "htmx.org/dist"))
    if (NODE_MODULES_DIR / relative).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- blobs ------------------------------------------------------------------------------------
AMTSFLUSS_BLOBS = {
    "BACKEND": env_str("AMTSFLUSS_BLOB_BACKEND", "filesystem"),
    "DIRECTORY": env_str("AMTSFLUSS_BLOB_DIR", str(DATA_DIR / "blobs")),
    "S3_BUCKET": env_str("AMTSFLUSS_S3_BUCKET"),
    "S3_PREFIX": env_str("AMTSFLUSS_S3_PREFIX", "blobs/"),
    "S3_ENDPOINT_URL": env_str("AMTSFLUSS_S3_ENDPOINT_URL"),
    "S3_REGION": env_str("AMTSFLUSS_S3_REGION", "eu-central-1"),
}

# --- background tasks -------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
AMTSFLUSS_WORKER_HEARTBEAT_SECONDS = env_int("AMTSFLUSS_WORKER_HEARTBEAT_SECONDS", 10)
AMTSFLUSS_WORKER_STALE_SECONDS = env_int("AMTSFLUSS_WORKER_STALE_SECONDS", 60)
#: workers enqueue periodic jobs (due Wiedervorlagen, the daily audit-chain check)
AMTSFLUSS_PERIODIC_JOBS = env_bool("AMTSFLUSS_PERIODIC_JOBS", True)

# --- mail (Django 6.1 MAILERS) ----------------------------------------------------------------
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def mailer_from_env(default_backend: str) -> dict[str, object]:
    """The default mailer: SMTP options only when the SMTP backend is chosen."""
    backend = env_str("AMTSFLUSS_EMAIL_BACKEND", default_backend)
    if backend != SMTP_BACKEND:
        return {"BACKEND": backend}
    return {
        "BACKEND": backend,
        "OPTIONS": {
            "host": env_str("AMTSFLUSS_EMAIL_HOST", "localhost"),
            "port": env_int("AMTSFLUSS_EMAIL_PORT", 25),
            "username": env_str("AMTSFLUSS_EMAIL_USER"),
            "password": env_str("AMTSFLUSS_EMAIL_PASSWORD"),
            "use_tls": env_bool("AMTSFLUSS_EMAIL_TLS", False),
        },
    }


MAILERS = {"default": mailer_from_env("django.core.mail.backends.console.EmailBackend")}
DEFAULT_FROM_EMAIL = env_str("AMTSFLUSS_EMAIL_FROM", "amtsfluss@localhost")

# --- uploads ----------------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("AMTSFLUSS_UPLOAD_MAX_MEMORY", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
#: the largest file a document version may have
AMTSFLUSS_MAX_UPLOAD_BYTES = env_int("AMTSFLUSS_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
#: the Posteingang's upload page and API: files per request, and the request body as a whole
#: (a larger declared body is not read; the files are held in memory while they are checked)
AMTSFLUSS_MAX_UPLOAD_FILES = env_int("AMTSFLUSS_MAX_UPLOAD_FILES", 20)
AMTSFLUSS_MAX_UPLOAD_BATCH_BYTES = env_int("AMTSFLUSS_MAX_UPLOAD_BATCH_BYTES", 256 * 1024 * 1024)

# Full-text search (docs/design/suche.md): tantivy index files under SEARCH_DIR (one process
# writes at a time); for several web machines the same index served by ``amtsfluss searchd``
# at SEARCH_URL ("served"), or PostgreSQL full text ("postgres").
SEARCH_BACKEND = env_str("AMTSFLUSS_SEARCH_BACKEND", "tantivy")
SEARCH_DIR = Path(env_str("AMTSFLUSS_SEARCH_DIR", str(DATA_DIR / "suche")))
SEARCH_URL = env_str("AMTSFLUSS_SEARCH_URL", "")
#: shared by searchd and its callers; without it searchd answers nothing but /healthz
SEARCH_TOKEN = env_str("AMTSFLUSS_SEARCH_TOKEN", "")

# --- logging ----------------------------------------------------------------------------------
LOG_FORMAT = env_str("AMTSFLUSS_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env_str("AMTSFLUSS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports every rendering step at INFO; only its problems matter to operators
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
