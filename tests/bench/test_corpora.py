"""The generated corpora of the search and OCR benchmarks: reproducible, and holding what the
benchmarks query (a common word, a phrase, a prefix, a rare word; image-only scanned pages)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bench.ocr import write_corpus
from bench.suche import RARE_WORD, TextMaker
from pypdf import PdfReader

TYPES = ("antrag", "bescheid", "schreiben", "rechnung", "vermerk", "email", "nachweis")


def _texts(seed: int, count: int) -> list[str]:
    maker = TextMaker(seed)
    return [maker.text(TYPES[n % len(TYPES)]) for n in range(count)]


def test_search_texts_are_the_same_for_a_seed_and_differ_between_seeds() -> None:
    assert _texts(7, 50) == _texts(7, 50)
    assert _texts(7, 50) != _texts(8, 50)


def test_search_texts_hold_common_phrase_prefix_and_rare_words_in_their_proportions() -> None:
    texts = _texts(1, 8_000)
    share = {
        "common": sum("Unterlagen" in t for t in texts) / len(texts),
        "phrase": sum("aktuellen Bearbeitungsstand" in t for t in texts) / len(texts),
        "prefix": sum("Gebühr" in t for t in texts) / len(texts),
        "rare": sum(RARE_WORD in t for t in texts) / len(texts),
    }
    assert share["common"] > 0.3
    assert 0.1 < share["phrase"] < share["common"]
    assert 0.1 < share["prefix"] < share["common"]
    assert 0 < share["rare"] < 0.003  # about one text in 1,000
    assert len({t.split("\n")[-1] for t in texts}) == len(texts)  # filler words differ


def test_scanned_corpus_is_image_only_pdfs_of_the_asked_pages(tmp_path: Path) -> None:
    documents = write_corpus(tmp_path / "scans", 3)
    assert [pages for _, pages, _ in documents] == [1, 2]
    for path, pages, words in documents:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        assert len(reader.pages) == pages == len(words)
        assert all(not (page.extract_text() or "").strip() for page in reader.pages)
    again = write_corpus(tmp_path / "again", 3)
    assert [_images(p) for p, _, _ in again] == [_images(p) for p, _, _ in documents]


def _images(path: Path) -> bytes:
    """The PDF without its random /ID: the same seed gives the same pages."""
    return re.sub(rb"/ID \[<[0-9a-f]+><[0-9a-f]+>\]", b"", path.read_bytes())
