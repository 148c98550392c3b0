"""Large invoices split their Schematron between this process and a partner process
(``validation/patterns.py``, ``partner.py``, ``split.py``): the answer must be exactly the one
of the whole stylesheets, and a failing partner may only cost time."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.rechnung_samples import invoice
from lxml import etree

from amtsfluss.rechnung.validation import Validator, partner, patterns, saxon
from amtsfluss.rechnung.validation.partner import Estimates, Job, Partner
from tests.rechnung.conftest import rules_source, suite_files
from tests.rechnung.test_negative import CII_CASES, CII_FILE, UBL_CASES, UBL_FILE, edited

RESOURCES = rules_source() / "resources"
STYLESHEETS = [
    RESOURCES / "ubl" / "2.1" / "xsl" / "EN16931-UBL-validation.xsl",
    RESOURCES / "cii" / "16b" / "xsl" / "EN16931-CII-validation.xsl",
    RESOURCES / "xrechnung" / "3.0.2" / "xsl" / "XRechnung-UBL-validation.xsl",
    RESOURCES / "xrechnung" / "3.0.2" / "xsl" / "XRechnung-CII-validation.xsl",
]
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def _broken(base: Path) -> bytes:
    """A generated invoice with code-list warnings on several lines."""
    data = invoice(base, 20)
    return data.replace(b"EUR", b"XXX", 3).replace(b'unitCode="', b'unitCode="ZZQ', 4)


def _documents() -> list[bytes]:
    """The testsuite, and invoices rejected by rules of each stylesheet."""
    negatives = [edited(UBL_FILE, edit) for _, edit, _ in UBL_CASES]
    negatives += [edited(CII_FILE, edit) for _, edit, _ in CII_CASES]
    return (
        [path.read_bytes() for path in suite_files()]
        + negatives
        + [
            _broken(UBL_FILE),
            _broken(CII_FILE),
        ]
    )


def _comparable(svrl: etree._Element) -> bytes:
    """The SVRL without its creation metadata and layout whitespace."""
    for metadata in svrl.findall(f"{SVRL}metadata"):
        svrl.remove(metadata)
    for element in svrl.iter():
        element.tail = None
        if len(element):
            element.text = None
    return etree.tostring(svrl)


def _compile(text: str) -> object:
    with saxon.LOCK:
        return saxon.processor().new_xslt30_processor().compile_stylesheet(stylesheet_text=text)


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda path: path.stem)
def test_joined_parts_give_the_whole_svrl(path: Path) -> None:
    text = partner.stylesheet_text(path)
    parts = patterns.cut(text)
    assert parts is not None and len(parts) >= 2
    whole = _compile(text)
    compiled = [(part.index, _compile(part.text)) for part in parts]
    findings = 0
    for data in _documents():
        with saxon.LOCK:
            node = saxon.processor().parse_xml(xml_text=data.decode("utf-8"))
            expected = etree.fromstring(whole.transform_to_string(xdm_node=node).encode())  # type: ignore[attr-defined]
            outputs = [
                (index, etree.fromstring(e.transform_to_string(xdm_node=node).encode()))  # type: ignore[attr-defined]
                for index, e in compiled
            ]
        findings += len(expected.findall(f"{SVRL}failed-assert"))
        assert _comparable(patterns.join(outputs[::-1])) == _comparable(expected)
    assert findings > 0, "the negative invoices must fail rules of this stylesheet"


def test_a_stylesheet_of_another_shape_is_not_cut() -> None:
    plain = (
        '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:template match="/"><r/></xsl:template></xsl:stylesheet>'
    )
    assert patterns.cut(plain) is None


def test_estimates_put_the_longest_job_alone() -> None:
    estimates = Estimates(parse_ms_per_kib=0.0)
    for job, ms in ((("a", 0), 200.0), (("a", 1), 60.0), (("b", 0), 50.0), (("b", 1), 90.0)):
        estimates.learn(job, ms, 1.0)
    here, there = estimates.assign([("a", 0), ("a", 1), ("b", 0), ("b", 1)])
    assert here == [("a", 0)]
    assert sorted(there) == [("a", 1), ("b", 0), ("b", 1)]


def _wait_ready(validator: Validator) -> None:
    deadline = time.monotonic() + 180
    while not validator.split.partner.ready:
        assert time.monotonic() < deadline, "the partner process did not start"
        time.sleep(0.2)


@pytest.fixture
def splitting(validator: Validator) -> Iterator[Validator]:
    """The shared validator, splitting every document while the test runs."""
    before = validator.split_bytes
    validator.split_bytes = 1
    try:
        yield validator
    finally:
        validator.split_bytes = before


def _answers(validator: Validator, documents: list[bytes]) -> list[dict[str, object]]:
    return [validator.validate_bytes(data, name="x.xml").to_dict() for data in documents]


def _every_other_job(jobs: list[Job]) -> tuple[list[Job], list[Job]]:
    """Here and there alternately: every document's parts come from both processes (the
    learnt costs would keep a small document here when the partner's parse costs more)."""
    ordered = sorted(jobs)
    return ordered[::2], ordered[1::2]


def test_split_validation_answers_exactly_as_whole(
    validator: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = _documents()
    before = validator.split_bytes
    validator.split_bytes = 0
    expected = _answers(validator, documents)
    validator.split_bytes = 1
    try:
        warm_up = [invoice(UBL_FILE, 2), invoice(CII_FILE, 2)]
        _answers(validator, warm_up)  # starts the partner; these run here and time each job
        _wait_ready(validator)
        monkeypatch.setattr(validator.split.estimates, "assign", _every_other_job)
        shared = validator.split.shared
        for data, wanted in zip(documents, expected, strict=True):
            assert validator.validate_bytes(data, name="x.xml").to_dict() == wanted
        assert validator.split.shared - shared == len(documents)  # the partner took part
    finally:
        validator.split_bytes = before
    assert {answer["verdict"] for answer in expected} == {"accept", "reject"}


def test_a_killed_partner_costs_only_time(splitting: Validator) -> None:
    documents = [_broken(CII_FILE), edited(UBL_FILE, UBL_CASES[1][1]), invoice(UBL_FILE, 5)]
    _answers(splitting, documents[:1])
    _wait_ready(splitting)
    expected = _answers(splitting, documents)
    process = splitting.split.partner.process
    assert process is not None
    process.kill()
    process.wait()
    assert _answers(splitting, documents) == expected  # the jobs ran here
    assert splitting.split.partner.process is not process  # a new partner is under way
    _wait_ready(splitting)
    assert _answers(splitting, documents) == expected


def test_the_partner_outlives_the_thread_that_started_it(
    splitting: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A web server retires idle request threads; the partner belongs to the process."""
    partner = splitting.split.partner
    partner.stop()

    def start_and_wait() -> None:
        partner.start()
        _wait_ready(splitting)

    starter = threading.Thread(target=start_and_wait)
    starter.start()
    starter.join()  # the thread that started the partner has ended
    process = partner.process
    assert process is not None
    time.sleep(1.0)
    assert process.poll() is None and partner.ready
    _answers(splitting, [invoice(UBL_FILE, 2)])  # times each job (the first runs here)
    monkeypatch.setattr(splitting.split.estimates, "assign", _every_other_job)
    shared = splitting.split.shared
    _answers(splitting, [_broken(UBL_FILE)])
    assert splitting.split.shared == shared + 1 and partner.process is process  # it answered


def test_the_partner_ends_with_the_end_of_its_input(splitting: Validator) -> None:
    """What happens when the process that started it ends, kill -9 included."""
    partner = splitting.split.partner
    partner.start()
    _wait_ready(splitting)
    process = partner.process
    assert process is not None and process.stdin is not None
    process.stdin.close()
    assert process.wait(timeout=30) == 0
    partner.stop()


def test_a_partner_answering_nonsense_costs_only_time(splitting: Validator) -> None:
    documents = [_broken(UBL_FILE)]
    _answers(splitting, documents)
    _wait_ready(splitting)
    expected = _answers(splitting, documents)
    splitting.split.partner.stop()
    fake = Partner([])
    fake.process = subprocess.Popen(
        [sys.executable, "-c", _NONSENSE], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    fake.ready = True
    real, splitting.split.partner = splitting.split.partner, fake
    try:
        assert _answers(splitting, documents) == expected
        assert fake.process is None  # stopped, not asked again
    finally:
        splitting.split.partner = real


_NONSENSE = (
    "import sys, time\n"
    "sys.stdin.buffer.read(4)\n"
    "sys.stdout.buffer.write(b'\\x00\\x00\\x00\\x0b{\"bogus\":1}')\n"
    "sys.stdout.flush()\n"
    "time.sleep(60)\n"
)


def test_frames_refuse_an_oversized_header() -> None:
    stream = io.BytesIO(b"\x7f\xff\xff\xff" + b"{}")
    with pytest.raises(ValueError, match="too long"):
        partner.read_header(stream)
    with pytest.raises(EOFError):
        partner.read_header(io.BytesIO(b"\x00\x00"))
