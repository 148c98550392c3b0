"""The embedded default: one machine, SQLite, files under AMTSFLUSS_DATA_DIR."""

from amtsfluss.config import env_str, persistent_secret_key
from amtsfluss.settings.base import *  # noqa: F403
from amtsfluss.settings.base import DATA_DIR

SECRET_KEY = env_str("AMTSFLUSS_SECRET_KEY") or persistent_secret_key(DATA_DIR)
