"""Reads shared by pages and the API: keyword-only, typed, always through the permission engine.

Lists return lazy, ordered querysets (``permitted()`` plus joins, so a page is a constant number
of queries); ``*_get`` fetch one object with ``access()`` and raise ``Http404`` otherwise.
"""
