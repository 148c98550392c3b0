"""Settings presets: ``embedded`` (default), ``production`` and ``test``.

``amtsfluss`` picks the preset from ``AMTSFLUSS_SETTINGS`` (see docs/configuration.md).
"""
