"""seal_pdf and validate_seal: sealed Bescheide validate with pyHanko's own validator, changes
and foreign seals are caught, a TSA on loopback stamps the seal."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from django.utils import timezone, translation
from pyhanko.pdf_utils.reader import PdfFileReader

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import AuditEvent
from amtsfluss.siegel.keys import demo_pkcs12, seal_key
from amtsfluss.siegel.models import Siegel
from amtsfluss.siegel.services import seal_pdf, siegel_configure, validate_seal
from tests.conftest import World
from tests.siegel.conftest import Tsa

REASON = "Schlusszeichnung des Bescheids 32.1-2026-0001"


def sealed_by(world: World, pdf: bytes) -> bytes:
    return seal_pdf(mandant=world.a, pdf=pdf, reason=REASON, signer_name="Hanna Leitung")


def test_sealed_pdf_validates_and_keeps_the_pdf_a_bytes(
    world: World, seal_a: Siegel, bescheid_pdf: bytes
) -> None:
    sealed = sealed_by(world, bescheid_pdf)
    assert sealed.startswith(bescheid_pdf), "the seal must be an incremental update"
    report = validate_seal(mandant=world.a, pdf=sealed)
    assert report.ok
    assert (report.intact, report.valid, report.trusted, report.whole_document) == (
        True,
        True,
        True,
        True,
    )
    assert report.signer_subject == "Common Name: Stadt A, Organization: Stadt A, Country: DE"
    assert report.signer_name == "Hanna Leitung"
    assert report.reason == REASON
    assert report.signing_time is not None
    assert report.timestamp_valid is None and report.timestamp_time is None
    assert report.seals == 1


def test_seal_is_pades_with_an_invisible_printable_field_and_the_ua_claim_survives(
    world: World, seal_a: Siegel, bescheid_pdf: bytes
) -> None:
    sealed = sealed_by(world, bescheid_pdf)
    signature = PdfFileReader(io.BytesIO(sealed)).embedded_regular_signatures[0]
    assert signature.field_name == "Siegel1"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    document = pikepdf.open(io.BytesIO(sealed))
    widget = document.Root.AcroForm.Fields[0]
    assert list(widget.Rect) == [0, 0, 0, 0]
    assert int(widget.F) & 4, "PDF/A: an annotation must carry the Print flag"
    xmp = document.open_metadata()
    assert xmp["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"
    assert xmp["{http://www.aiim.org/pdfa/ns/id/}part"] == "2"
    # PDF/UA: the widget has an alternate name and sits in a Form element of the tree
    assert str(widget.TU) == "Elektronisches Siegel: Stadt A"
    tree = document.Root.StructTreeRoot
    numbers = list(tree.ParentTree.Nums)
    form = dict(zip(numbers[::2], numbers[1::2], strict=True))[int(widget.StructParent)]
    assert pikepdf.Name.Form == form.S
    assert str(form.Alt) == "Elektronisches Siegel: Stadt A"
    assert form.K.Type == pikepdf.Name.OBJR and form.K.Obj.objgen == widget.objgen
    assert pikepdf.Name.Document == form.P.S
    assert form.P.K[-1].objgen == form.objgen
    assert form.Pg.objgen == document.pages[0].objgen
    # PDF/A: the update leaves the XMP packet and the Info dictionary as rendered, so they agree
    original = pikepdf.open(io.BytesIO(bescheid_pdf))
    assert document.Root.Metadata.read_bytes() == original.Root.Metadata.read_bytes()
    assert str(document.docinfo.Producer) == xmp["pdf:Producer"] == "WeasyPrint 70.0"


def test_sealing_is_audited(world: World, seal_a: Siegel, bescheid_pdf: bytes) -> None:
    sealed = sealed_by(world, bescheid_pdf)
    event = AuditEvent.objects.get(mandant=world.a, action="siegel.sealed")
    assert event.actor_label == "Hanna Leitung"
    assert event.details["reason"] == REASON
    assert event.details["sha256"] == hashlib.sha256(sealed).hexdigest()


def test_a_byte_changed_after_sealing_fails(
    world: World, seal_a: Siegel, bescheid_pdf: bytes
) -> None:
    sealed = bytearray(sealed_by(world, bescheid_pdf))
    # one byte inside the signed range that leaves the file readable: the binary comment
    position = sealed.index(b"%\xf0\x9f\x96\xa4") + 1
    sealed[position] ^= 0x01
    report = validate_seal(mandant=world.a, pdf=bytes(sealed))
    assert report.signed
    assert not report.intact
    assert not report.ok


def test_content_appended_after_sealing_is_not_covered(
    world: World, seal_a: Siegel, bescheid_pdf: bytes
) -> None:
    sealed = sealed_by(world, bescheid_pdf)
    document = pikepdf.open(io.BytesIO(sealed))
    document.docinfo["/Title"] = "Gefälschter Titel"
    changed = io.BytesIO()
    document.save(changed)  # a full rewrite: the old seal no longer covers the file
    report = validate_seal(mandant=world.a, pdf=changed.getvalue())
    assert not report.ok


def test_another_mandants_seal_is_not_trusted(
    world: World, seal_a: Siegel, seal_b: Siegel, bescheid_pdf: bytes
) -> None:
    by_b = seal_pdf(mandant=world.b, pdf=bescheid_pdf, reason=REASON, signer_name="B")
    assert validate_seal(mandant=world.b, pdf=by_b).ok
    report = validate_seal(mandant=world.a, pdf=by_b)
    assert report.intact and report.valid
    assert not report.trusted
    assert not report.ok


def test_unsealed_and_unreadable_files(world: World, seal_a: Siegel, bescheid_pdf: bytes) -> None:
    report = validate_seal(mandant=world.a, pdf=bescheid_pdf)
    assert not report.signed and not report.ok
    with pytest.raises(ServiceError):
        validate_seal(mandant=world.a, pdf=b"%PDF-1.7\nnot really a pdf")
    with pytest.raises(ServiceError):
        seal_pdf(mandant=world.a, pdf=b"<html>no pdf</html>", reason=REASON, signer_name="X")


def test_a_second_seal_gets_its_own_field_and_the_last_one_is_reported(
    world: World, seal_a: Siegel, bescheid_pdf: bytes
) -> None:
    twice = sealed_by(world, sealed_by(world, bescheid_pdf))
    signatures = PdfFileReader(io.BytesIO(twice)).embedded_regular_signatures
    assert [s.field_name for s in signatures] == ["Siegel1", "Siegel2"]
    report = validate_seal(mandant=world.a, pdf=twice)
    assert report.ok and report.seals == 2


def test_without_configuration_nothing_is_sealed(world: World, bescheid_pdf: bytes) -> None:
    with pytest.raises(ServiceError) as caught:
        seal_pdf(mandant=world.a, pdf=bescheid_pdf, reason=REASON, signer_name="X")
    assert caught.value.code == "no_seal"
    with translation.override("de"), pytest.raises(ServiceError) as german:
        validate_seal(mandant=world.a, pdf=bescheid_pdf)
    assert german.value.message == "Für Stadt A ist kein elektronisches Siegel eingerichtet"


def test_key_is_loaded_once_per_process(world: World, seal_a: Siegel) -> None:
    first = seal_key(seal_a)
    assert seal_key(Siegel.objects.get(pk=seal_a.pk)) is first


def test_time_stamp_from_a_tsa_on_loopback(
    world: World, seal_a: Siegel, bescheid_pdf: bytes, tsa: Tsa
) -> None:
    seal_a.tsa_url = tsa.url
    seal_a.tsa_certificate_pem = tsa.certificate_pem
    seal_a.save()
    before = len(tsa.requests)
    sealed = sealed_by(world, bescheid_pdf)
    # pyHanko asks once more per time stamper to learn the token's size
    assert len(tsa.requests) > before
    assert set(tsa.requests) == {b"application/timestamp-query"}
    report = validate_seal(mandant=world.a, pdf=sealed)
    assert report.ok
    assert report.timestamp_valid is True
    assert report.timestamp_time is not None
    assert report.signing_time is not None
    assert abs((report.timestamp_time - report.signing_time).total_seconds()) < 3600
    token = PdfFileReader(io.BytesIO(sealed)).embedded_regular_signatures[0]
    unsigned = token.signer_info["unsigned_attrs"]
    assert "signature_time_stamp_token" in [a["type"].native for a in unsigned]


def test_time_stamp_of_an_unconfigured_tsa_is_not_trusted(
    world: World, seal_a: Siegel, bescheid_pdf: bytes, tsa: Tsa
) -> None:
    seal_a.tsa_url = tsa.url
    seal_a.save()
    report = validate_seal(mandant=world.a, pdf=sealed_by(world, bescheid_pdf))
    assert report.intact and report.trusted
    assert report.timestamp_valid is False
    assert not report.ok


def _zeroed_contents(sealed: bytes) -> bytes:
    return re.sub(
        rb"/Contents <([0-9A-Fa-f]+)>",
        lambda match: b"/Contents <" + b"0" * len(match.group(1)) + b">",
        sealed,
    )


def _shifted_byte_range(sealed: bytes) -> bytes:
    return re.sub(
        rb"/ByteRange \[ ?(\d+) (\d+)",
        lambda match: b"/ByteRange [%s %d" % (match.group(1), int(match.group(2)) - 1),
        sealed,
        count=1,
    )


@pytest.mark.parametrize(
    ("damage", "unreadable"),
    [
        (lambda sealed: sealed[:-300], True),
        (_zeroed_contents, True),
        (lambda sealed: re.sub(rb"/Contents <3082", b"/Contents <30FF", sealed, count=1), True),
        (_shifted_byte_range, False),
    ],
    ids=["truncated", "zeroed-signature", "broken-der", "byte-range-shifted"],
)
def test_hostile_sealed_files_never_validate(
    english: None,
    world: World,
    seal_a: Siegel,
    bescheid_pdf: bytes,
    damage: Callable[[bytes], bytes],
    unreadable: bool,
) -> None:
    sealed = sealed_by(world, bescheid_pdf)
    damaged = damage(sealed)
    assert damaged != sealed
    if unreadable:
        with pytest.raises(ServiceError, match="not a readable PDF"):
            validate_seal(mandant=world.a, pdf=damaged)
    else:
        report = validate_seal(mandant=world.a, pdf=damaged)
        assert report.signed and not report.intact and not report.ok


def test_a_replaced_seal_keeps_what_it_sealed_trusted(
    world: World, seal_a: Siegel, seal_b: Siegel, bescheid_pdf: bytes, tmp_path: Path
) -> None:
    before = sealed_by(world, bescheid_pdf)
    p12, passphrase = tmp_path / "neu.p12", tmp_path / "neu.passphrase"
    p12.write_bytes(demo_pkcs12(subject_name="Stadt A 2027", passphrase=b"neu", now=timezone.now()))
    passphrase.write_text("neu\n")
    siegel_configure(
        mandant=world.a, pkcs12_path=str(p12), passphrase_file=str(passphrase), by=None
    )
    after = sealed_by(world, bescheid_pdf)
    assert "Stadt A 2027" in validate_seal(mandant=world.a, pdf=after).signer_subject
    p12.unlink()  # validation needs no key: the certificates are kept with the configuration
    assert validate_seal(mandant=world.a, pdf=before).ok
    assert validate_seal(mandant=world.a, pdf=after).ok
    assert not validate_seal(mandant=world.b, pdf=before).trusted
    assert not validate_seal(mandant=world.b, pdf=after).trusted
    siegel = Siegel.objects.get(mandant=world.a)
    assert siegel.former_certificates_pem.count("BEGIN CERTIFICATE") == 1
    assert siegel.certificate_pem.count("BEGIN CERTIFICATE") == 1
