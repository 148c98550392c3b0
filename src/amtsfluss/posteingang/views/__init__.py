"""The Posteingang staff pages, mounted under ``/intern/posteingang/`` (``amtsfluss/urls.py``)."""
