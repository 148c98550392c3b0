"""Hostile XML is refused before any entity-resolving parser sees it; nothing leaks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amtsfluss.rechnung.validation import Validator, saxon
from amtsfluss.rechnung.validation.hardening import MAX_BYTES

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&xxe;</Invoice>
"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""
AFTER_COMMENT = b"""\xef\xbb\xbf<?xml version="1.0"?>
<!-- harmless comment -->
<?some-pi with data?>
  <!doctype Invoice SYSTEM "http://127.0.0.1:9/evil.dtd">
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>
"""
PARAMETER_ENTITY = (
    b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><x/>"""
)

HOSTILE = {
    "xxe-file": XXE,
    "billion-laughs": BILLION_LAUGHS,
    "doctype-after-comment-pi": AFTER_COMMENT,
    "parameter-entity": PARAMETER_ENTITY,
    "xxe-utf16": XXE.decode()
    .replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    .encode("utf-16"),
}


@pytest.mark.parametrize("data", HOSTILE.values(), ids=HOSTILE.keys())
def test_doctype_refused_before_parsing(validator: Validator, data: bytes) -> None:
    result = validator.validate_bytes(data, name="hostile.xml")
    assert result.verdict == "reject"
    assert [f.rule for f in result.findings] == ["AF-DOCTYPE"]
    assert "DOCTYPE" in result.findings[0].message
    assert result.syntax is None and result.scenario is None
    output = json.dumps(result.to_dict())
    assert "root:" not in output and "lollol" not in output


def test_doctype_inside_comment_is_not_markup(validator: Validator) -> None:
    data = b"<?xml version='1.0'?><!-- <!DOCTYPE x> --><note/>"
    result = validator.validate_bytes(data)
    assert [f.rule for f in result.findings] == ["AF-SYNTAX"]


def test_oversize_file_refused_unread(validator: Validator, tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.write(b'<?xml version="1.0"?>\n<Invoice>')
        handle.truncate(60 * 1024 * 1024)  # sparse: 60 MB on paper
    result = validator.validate_file(path)
    assert result.verdict == "reject"
    assert [f.rule for f in result.findings] == ["AF-SIZE"]
    assert "zu groß" in result.findings[0].message
    in_memory = validator.validate_bytes(b"<" + b"a" * MAX_BYTES)
    assert [f.rule for f in in_memory.findings] == ["AF-SIZE"]


def test_saxon_cannot_read_files_after_loading(validator: Validator) -> None:
    assert saxon.is_locked()
    with saxon.LOCK:
        xpath = saxon.processor().new_xpath_processor()
        with pytest.raises(Exception, match="prohibited"):
            xpath.evaluate_single("unparsed-text('file:///etc/passwd')")
        with pytest.raises(Exception, match="prohibited"):
            xpath.evaluate_single("doc('file:///etc/passwd')")
