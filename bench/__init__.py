"""Benchmarks for amtsfluss: ``python -m bench`` runs them, prints tables, writes JSON.

Every module ``bench/<name>.py`` that defines ``run(config) -> Report`` is a benchmark;
``bench/common.py`` holds the helpers they share. See ``bench/README.md``.
"""
