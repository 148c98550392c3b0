"""The ``amtsfluss`` command: Django's management with the amtsfluss settings preset.

``AMTSFLUSS_SETTINGS`` picks the preset (embedded, production); ``DJANGO_SETTINGS_MODULE``
wins when set explicitly.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    preset = os.environ.get("AMTSFLUSS_SETTINGS", "embedded")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"amtsfluss.settings.{preset}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["amtsfluss", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
