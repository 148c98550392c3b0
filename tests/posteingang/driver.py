"""Runs the pipeline for one Eingang in its own process, for the kill -9 test.

``python driver.py DATABASE_NAME BLOB_DIRECTORY EINGANG_ID`` — the test settings, pointed at
the test's database and blob directory (they differ per test run).
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    database, blobs, eingang_id = sys.argv[1:4]
    os.environ["DJANGO_SETTINGS_MODULE"] = "amtsfluss.settings.test"
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = database
    settings.AMTSFLUSS_BLOBS["DIRECTORY"] = blobs

    import django

    django.setup()
    from amtsfluss.posteingang import pipeline

    print(pipeline.process(int(eingang_id)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
