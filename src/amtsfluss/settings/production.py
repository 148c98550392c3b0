"""Production: PostgreSQL via DATABASE_URL, object storage, HTTPS-only cookies, HSTS, MFA."""

from django.core.exceptions import ImproperlyConfigured

from amtsfluss.config import env_bool, env_int, env_str
from amtsfluss.settings.base import *  # noqa: F403
from amtsfluss.settings.base import SMTP_BACKEND, mailer_from_env

SECRET_KEY = env_str("AMTSFLUSS_SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "AMTSFLUSS_SECRET_KEY must be set to at least 50 random characters in production."
    )

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("AMTSFLUSS_SSL_REDIRECT", True)
if env_bool("AMTSFLUSS_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("AMTSFLUSS_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-amtsfluss_session"
CSRF_COOKIE_NAME = "__Host-amtsfluss_csrf"
AMTSFLUSS_REQUIRE_MFA = env_bool("AMTSFLUSS_REQUIRE_MFA", True)
MAILERS = {"default": mailer_from_env(SMTP_BACKEND)}
