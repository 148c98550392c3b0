"""The embedded backend: one tantivy index per Mandant under ``<data dir>/suche/<slug>/``.

One process writes at a time (``flock`` on ``writer.lock``); readers reload when the index's
``meta.json`` changed, so other processes' commits become visible on their next search.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings

from amtsfluss.core.folding import fold
from amtsfluss.core.models import Mandant
from amtsfluss.suche.backends.base import EngineQuery, EngineResult, Order, search_unavailable
from amtsfluss.suche.entries import IndexEntry
from amtsfluss.suche.text import ANALYZER_NAME, build_analyzer, terms

TEXT_FIELDS = ("titel", "body")
WRITER_HEAP = 64_000_000
LOCK_WAIT_SECONDS = 120.0
_EPOCH = date(1970, 1, 1)
_FACET_SIZE = 1000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("dokument", stored=True, indexed=True, fast=True)
    builder.add_integer_field("akte", indexed=True, fast=True)
    builder.add_integer_field("unit", indexed=True, fast=True)
    builder.add_integer_field("datum", indexed=True, fast=True)
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_text_field("titel", tokenizer_name=ANALYZER_NAME)
    builder.add_text_field("body", tokenizer_name=ANALYZER_NAME)
    builder.add_text_field("keys", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("position", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("dokumenttyp", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field("status", tokenizer_name="raw", index_option="basic")
    return builder.build()


SCHEMA = _schema()


def index_dir(mandant: Mandant) -> Path:
    base = Path(settings.SEARCH_DIR)
    return Path(base) / mandant.slug


class _Opened:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
        self.index.register_tokenizer(ANALYZER_NAME, build_analyzer())
        self.seen = self._meta_version()

    def _meta_version(self) -> tuple[int, int, int, int]:
        """What changes with every commit: tantivy replaces ``meta.json`` (a new inode, a new
        change time) — the modification time alone could repeat within a coarse clock tick."""
        try:
            found = os.stat(self.path / "meta.json")
        except FileNotFoundError:
            return (0, 0, 0, 0)
        return (found.st_ino, found.st_ctime_ns, found.st_mtime_ns, found.st_size)

    def fresh_searcher(self) -> tantivy.Searcher:
        current = self._meta_version()
        if current != self.seen:
            self.index.reload()
            self.seen = current
        return self.index.searcher()


_OPENED: dict[Path, _Opened] = {}
_OPEN_LOCK = threading.Lock()


def _opened(mandant: Mandant) -> _Opened:
    path = index_dir(mandant)
    with _OPEN_LOCK:
        if path not in _OPENED or not path.exists():
            _OPENED[path] = _Opened(path)
        return _OPENED[path]


@contextmanager
def _writer_lock(path: Path, *, wait: bool) -> Iterator[bool]:
    path.mkdir(parents=True, exist_ok=True)
    with open(path / "writer.lock", "a") as handle:
        deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait else 0)
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _document(entry: IndexEntry) -> tantivy.Document:
    return tantivy.Document(
        dokument=entry.dokument_id,
        akte=entry.akte_id,
        unit=entry.unit_id,
        datum=(entry.datum - _EPOCH).days,
        year=entry.datum.year,
        titel=fold(entry.titel),
        body=fold(entry.body),
        keys=list(entry.keys),
        position=list(entry.positions),
        dokumenttyp=entry.dokumenttyp,
        status=entry.akte_status,
    )


class TantivyBackend:
    name = "tantivy"

    def check(self) -> None:
        """The index folder can be created and written (each Mandant's index lives below it)."""
        base = Path(settings.SEARCH_DIR)
        try:
            base.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=base, prefix="ready-") as probe:
                probe.write(b"ok")
        except OSError as exc:
            raise search_unavailable() from exc

    def replace(
        self,
        mandant: Mandant,
        entries: Sequence[IndexEntry],
        *,
        akten: Sequence[int] = (),
        dokumente: Sequence[int] = (),
        wait: bool = False,
    ) -> bool:
        opened = _opened(mandant)
        with _writer_lock(opened.path, wait=wait) as locked:
            if not locked:
                return False
            writer = opened.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            try:
                for akte_id in akten:
                    writer.delete_documents_by_term("akte", akte_id)
                for dokument_id in dokumente:
                    writer.delete_documents_by_term("dokument", dokument_id)
                for entry in entries:
                    writer.delete_documents_by_term("dokument", entry.dokument_id)
                    writer.add_document(_document(entry))
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
        return True

    def clear(self, mandant: Mandant) -> None:
        opened = _opened(mandant)
        with _writer_lock(opened.path, wait=True):
            writer = opened.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            writer.delete_all_documents()
            writer.commit()
            writer.wait_merging_threads()

    def search(self, mandant: Mandant, query: EngineQuery) -> EngineResult:
        if not query.keys or query.parsed.matches_nothing:
            return EngineResult(hits=[], total=0)
        searcher = _opened(mandant).fresh_searcher()
        compiled = compile_query(query)
        if query.order == Order.DATE or query.parsed.match_all:
            found = searcher.search(
                compiled,
                limit=query.limit,
                offset=query.offset,
                count=True,
                order_by_field="datum",
                order=tantivy.Order.Desc,
            )
            scores: list[float | None] = [None] * len(found.hits)
        else:
            found = searcher.search(compiled, limit=query.limit, offset=query.offset, count=True)
            scores = [float(score) for score, _ in found.hits]
        ids = searcher.fast_field_values("dokument", [address for _, address in found.hits])
        return EngineResult(
            hits=[
                (int(pk), score) for pk, score in zip(ids, scores, strict=True) if pk is not None
            ],
            total=int(getattr(found, "count", 0) or 0),
            facets=_facets(searcher, compiled),
        )


def compile_query(query: EngineQuery) -> tantivy.Query:
    """The text query AND the permission AND the filters, as one tantivy query."""
    must = [tantivy.Query.term_set_query(SCHEMA, "keys", sorted(query.keys))]
    must += _text_clauses(query)
    must += _filter_clauses(query)
    clauses = [(tantivy.Occur.Must, clause) for clause in must]
    if query.hidden_akten:
        hidden = tantivy.Query.term_set_query(SCHEMA, "akte", list(query.hidden_akten))
        clauses.append((tantivy.Occur.MustNot, hidden))
    return tantivy.Query.boolean_query(clauses)


def _any_field(make: Any) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, make(field)) for field in TEXT_FIELDS]
    )


def _text_clauses(query: EngineQuery) -> list[tantivy.Query]:
    parsed = query.parsed
    clauses = []
    for word in parsed.words:
        for term in terms(word):
            clauses.append(_any_field(lambda f, t=term: tantivy.Query.term_query(SCHEMA, f, t)))
    for phrase in parsed.phrases:
        positioned = [(n, found[0]) for n, word in enumerate(phrase) if (found := terms(word))]
        if len(positioned) == 1:
            term = positioned[0][1]
            clauses.append(_any_field(lambda f, t=term: tantivy.Query.term_query(SCHEMA, f, t)))
        elif positioned:
            clauses.append(
                _any_field(lambda f, p=positioned: tantivy.Query.phrase_query(SCHEMA, f, p))
            )
    for prefix in parsed.prefixes:
        clauses.append(
            _any_field(lambda f, p=prefix: tantivy.Query.regex_query(SCHEMA, f, f"{p}.*"))
        )
    return clauses


def _filter_clauses(query: EngineQuery) -> list[tantivy.Query]:
    f = query.filters
    clauses = []
    if f.unit_ids:
        clauses.append(tantivy.Query.term_set_query(SCHEMA, "unit", list(f.unit_ids)))
    if f.position:
        clauses.append(tantivy.Query.term_query(SCHEMA, "position", f.position))
    if f.date_from or f.date_to:
        clauses.append(
            tantivy.Query.range_query(
                SCHEMA,
                "datum",
                tantivy.FieldType.Integer,
                ((f.date_from or date.min) - _EPOCH).days,  # open ends: any date there is
                ((f.date_to or date.max) - _EPOCH).days,
            )
        )
    if f.dokumenttypen:
        clauses.append(tantivy.Query.term_set_query(SCHEMA, "dokumenttyp", list(f.dokumenttypen)))
    if f.akte_status:
        clauses.append(tantivy.Query.term_query(SCHEMA, "status", f.akte_status))
    return clauses


def _facets(searcher: tantivy.Searcher, compiled: tantivy.Query) -> dict[str, dict[str, int]]:
    aggregations = {
        name: {"terms": {"field": name, "size": _FACET_SIZE}}
        for name in ("unit", "dokumenttyp", "year")
    }
    answer = searcher.aggregate(compiled, aggregations)
    return {
        name: {str(bucket["key"]): int(bucket["doc_count"]) for bucket in answer[name]["buckets"]}
        for name in aggregations
    }
