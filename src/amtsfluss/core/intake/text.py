"""Making untrusted names and text safe: file names, header values, HTML bodies."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from html.parser import HTMLParser

MAX_FILENAME = 150
MAX_HEADER = 998
_UNSAFE_IN_NAME = re.compile(r'[<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")


def strip_controls(value: str) -> str:
    """Drop control and format characters (C0, C1, bidi overrides, zero width)."""
    return "".join(ch for ch in value if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})


def clean_body(value: str, *, limit: int) -> str:
    """Body text without control characters other than line breaks and tabs."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = (ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cs"})
    return "".join(kept).strip()[:limit]


def clean_header(value: str) -> str:
    """One line of printable text, at most 998 characters (RFC 5322's line limit)."""
    return _SPACES.sub(" ", strip_controls(value.replace("\t", " "))).strip()[:MAX_HEADER]


def safe_filename(raw: str | None, *, content_type: str = "", fallback: str = "anhang") -> str:
    """A plain file name: no directories, no ``..``, no control or reserved characters.

    The extension is kept when the name must be shortened; an empty result becomes
    ``fallback`` with an extension guessed from the declared type.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_IN_NAME.sub("_", strip_controls(name))
    name = _SPACES.sub(" ", name).strip(" .")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_FILENAME - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:MAX_FILENAME].rstrip(" .")
    if not name:
        name = fallback + (mimetypes.guess_extension(content_type) or "")
    return name


class _TextExtractor(HTMLParser):
    """Text of an HTML document: no scripts, styles or head; block elements become lines.

    Nothing is fetched, nothing is executed; entities are decoded by the parser.
    """

    _SKIP = frozenset({"script", "style", "head", "title", "template", "noscript"})
    _BLOCK = frozenset(
        {"p", "div", "br", "li", "tr", "td", "table", "ul", "ol", "blockquote", "pre", "hr"}
        | {"h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer"}
    )

    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self._add("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self._add("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._add(data)

    def _add(self, text: str) -> None:
        if self.size < self.limit:
            self.parts.append(text)
            self.size += len(text)


def html_to_text(html: str, *, limit: int = 1_000_000) -> str:
    parser = _TextExtractor(limit)
    parser.feed(html[: limit * 4])
    parser.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    text = "\n".join(lines)
    return _BLANK_LINES.sub("\n\n", text).strip()[:limit]
