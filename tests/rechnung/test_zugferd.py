"""ZUGFeRD / Factur-X: the whole corpus gets a verdict, hostile PDFs get a clear reason.

The corpus is ``/work/shared/standards/zugferd`` (ZUGFeRD/corpus subset, see its README.md).
Expected verdicts are those of the packs installed in conftest (XRechnung 3.0.2, Factur-X
profile XSDs, a Peppol-style configuration). Where the README's "expected valid/invalid" differs
from what the official rules say, the table notes why.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from amtsfluss.rechnung.validation import ValidationResult
from amtsfluss.rechnung.validation.pdf import (
    EmbeddedXml,
    ExtractionLimits,
    PdfRefusal,
    extract_invoice_xml,
)
from amtsfluss.rechnung.validation.registry import Registry

pytestmark = pytest.mark.usefixtures("english")  # messages are matched in English

CORPUS = Path("/work/shared/standards/zugferd")
FX_EINFACH = CORPUS / "XML-Rechnung" / "FX" / "EN16931_Einfach.pdf"
CII_EINFACH = CORPUS / "XML-Rechnung" / "CII" / "EN16931_Einfach.cii.xml"

EN = "EN16931 (CII)"
XR_UBL = "EN16931 XRechnung (UBL Invoice)"
XR_CII = "EN16931 XRechnung (CII)"
PEPPOL = "Peppol BIS Billing 3.0 style (UBL Invoice)"
FX_BASIC = "Factur-X BASIC (CII, XML Schema)"
FX_EXTENDED = "Factur-X EXTENDED (CII, XML Schema)"

# path → (verdict, scenario or the AF-/KoSIT rule that decides)
EXPECTED: dict[str, tuple[str, str]] = {
    # XML-Rechnung: the README's KoSIT verdicts for the XML files.
    "XML-Rechnung/CII/EN16931_Einfach.cii.xml": ("accept", EN),
    "XML-Rechnung/CII/EN16931_Gutschrift.cii.xml": ("accept", EN),
    "XML-Rechnung/CII/XRECHNUNG_Einfach.cii.xml": ("accept", XR_CII),
    # README: "invalid per name", but EN16931-valid under the KoSIT rules.
    "XML-Rechnung/CII/not_validating_full_invoice_based_onTest_EeISI_300_CENfullmodel.cii.xml": (
        "accept",
        EN,
    ),
    "XML-Rechnung/UBL/XRECHNUNG_Einfach.ubl.xml": ("accept", XR_UBL),
    # Peppol CustomizationID: no XRechnung scenario; the Peppol-style pack takes them.
    "XML-Rechnung/UBL/EN16931_Einfach.ubl.xml": ("accept", PEPPOL),
    "XML-Rechnung/UBL/EN16931_Gutschrift.ubl.xml": ("accept", PEPPOL),  # an Invoice (type 381)
    # Invalid as its name says: the CEN UBL rules find it (its CII sibling above passes).
    "XML-Rechnung/UBL/not_validating_full_invoice_based_onTest_EeISI_300_CENfullmodel.ubl.xml": (
        "reject",
        "BR-CO-15",
    ),
    "XML-Rechnung/FX/EN16931_Einfach.pdf": ("accept", EN),
    "XML-Rechnung/FX/EN16931_Gutschrift.pdf": ("accept", EN),
    # The README expects XRechnung 3.0, but the embedded xrechnung.xml says xrechnung_2.1.
    "XML-Rechnung/FX/XRECHNUNG_Einfach.pdf": ("reject", "AF-SCENARIO"),
    # ZUGFeRDv2/correct
    "ZUGFeRDv2/correct/intarsys/MINIMUM/zugferd_2p0_MINIMUM.pdf": ("reject", "AF-PROFILE"),
    "ZUGFeRDv2/correct/FNFE-factur-x-examples/Facture_FR_MINIMUM.pdf": ("reject", "AF-PROFILE"),
    "ZUGFeRDv2/correct/FNFE-factur-x-examples/Facture_FR_BASICWL.pdf": ("reject", "AF-PROFILE"),
    "ZUGFeRDv2/correct/intarsys/BASIC/zugferd_2p0_BASIC_Einfach.pdf": ("accept", FX_BASIC),
    "ZUGFeRDv2/correct/FNFE-factur-x-examples/Avoir_FR_type381_BASIC.pdf": ("accept", FX_BASIC),
    "ZUGFeRDv2/correct/intarsys/EN16931/zugferd_2p0_EN16931_Einfach.pdf": ("accept", EN),
    "ZUGFeRDv2/correct/intarsys/EN16931/zugferd_2p0_EN16931_Gutschrift.pdf": ("accept", EN),
    "ZUGFeRDv2/correct/symtrax/Beispiele/EN16931/zugferd_2p1_EN16931_1_Teilrechnung.pdf": (
        "accept",
        EN,
    ),
    "ZUGFeRDv2/correct/intarsys/EXTENDED/zugferd_2p0_EXTENDED_Warenrechnung.pdf": (
        "accept",
        FX_EXTENDED,
    ),
    "ZUGFeRDv2/correct/intarsys/EXTENDED/zugferd_2p0_EXTENDED_Fremdwaehrung.pdf": (
        "accept",
        FX_EXTENDED,
    ),
    # Its embedded XML declares XRechnung 1.2, which no current configuration covers.
    "ZUGFeRDv2/correct/symtrax/Beispiele/EN16931/zugferd_2p1_EN16931_Elektron_XRechnung.pdf": (
        "reject",
        "AF-SCENARIO",
    ),
    "ZUGFeRDv2/correct/Mustangproject/MustangGnuaccountingBeispielRE-20201121_508.pdf": (
        "accept",
        EN,
    ),
    "ZUGFeRDv2/correct/Mustangproject/testout-XR.xml": ("reject", "AF-SCENARIO"),  # XRechnung 1.2
    "ZUGFeRDv2/correct/xml/ZUGFeRD-invoice_rabatte_3_abschlag_duepayableamount.xml": ("accept", EN),
    "ZUGFeRDv2/correct/xml/ZUGFeRD-invoice_rabatte_4_abschlag_taxbasistotalamount.xml": (
        "accept",
        EN,
    ),
    # ZUGFeRDv2/fail
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Avoir_FR_type380_MINIMUM.pdf": ("reject", "AF-PROFILE"),
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Avoir_FR_type381_MINIMUM.pdf": ("reject", "AF-PROFILE"),
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Avoir_FR_type381_BASICWL.pdf": ("reject", "AF-PROFILE"),
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Avoir_FR_type380_EN16931.pdf": ("reject", "CII-DT-031"),
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Avoir_FR_type381_EN16931.pdf": ("reject", "CII-DT-031"),
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Facture_DOM_EN16931.pdf": ("reject", "CII-DT-031"),
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Facture_FR_EN16931.pdf": ("reject", "CII-DT-031"),
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Facture_UE_EN16931.pdf": ("reject", "BR-IC-11"),
    # BASIC is checked by XML Schema only (no Factur-X Schematron offline): the defects of
    # these "fail" samples are Schematron-level (their EN16931 siblings fail CII-DT-031).
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Avoir_FR_type380_BASIC.pdf": ("accept", FX_BASIC),
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Facture_DOM_BASIC.pdf": ("accept", FX_BASIC),
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Facture_FR_BASIC.pdf": ("accept", FX_BASIC),
    "ZUGFeRDv2/fail/FNFE-factur-x-examples/Facture_UE_BASIC.pdf": ("accept", FX_BASIC),
    "ZUGFeRDv2/fail/python-factur-x/python-factur-x.pdf": ("reject", "XSD"),
    "ZUGFeRDv2/fail/MustangRE-20171118_506_ZUGFeRD1and2.pdf": ("reject", "XSD"),
    "ZUGFeRDv2/fail/Mustangproject/MustangGnuaccountingBeispielRE-20171118_506.pdf": (
        "reject",
        "XSD",
    ),
    "ZUGFeRDv2/fail/Mustangproject/MustangGnuaccountingBeispielRE-20190610_507a.pdf": (
        "reject",
        "XSD",
    ),
    "ZUGFeRDv2/fail/Mustangproject/MustangGnuaccountingBeispielRE-20190610_507b.pdf": (
        "reject",
        "XSD",
    ),
    "ZUGFeRDv2/fail/Mustangproject/factur-x-invalid-xml-encoding-attribute.pdf": (
        "reject",
        "AF-XML",
    ),
    "ZUGFeRDv2/fail/ZUGFeRD_2.0_fully_compliant_complete.pdf": ("reject", "BR-S-02"),
    # README: the failures of these two are ZUGFeRD/Mustang-specific; EN 16931 accepts them.
    "ZUGFeRDv2/fail/ZUGFeRD_2_fully_compliant_complete.pdf": ("accept", EN),
    "ZUGFeRDv2/fail/Mustangproject/noNetPriceValidation.xml": ("accept", EN),
}


def corpus_files() -> list[str]:
    return sorted(
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.suffix.lower() in {".pdf", ".xml"}
    )


def error_rules(result: ValidationResult) -> set[str]:
    return {f.rule for f in result.findings if f.level == "error"}


def test_corpus_present_and_fully_covered() -> None:
    if not (CORPUS / "README.md").is_file():
        pytest.fail(
            f"ZUGFeRD corpus not found at {CORPUS}: see ../shared/standards/zugferd/README.md "
            "(a subset of github.com/ZUGFeRD/corpus).",
            pytrace=False,
        )
    assert corpus_files() == sorted(EXPECTED), "every corpus file needs an expected verdict"


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_corpus_verdict(registry: Registry, relative: str) -> None:
    result = registry.validate_file(CORPUS / relative)
    verdict, decisive = EXPECTED[relative]
    assert "AF-INTERNAL" not in {f.rule for f in result.findings}
    assert result.verdict == verdict, [(f.rule, f.message) for f in result.findings][:5]
    if verdict == "accept":
        assert result.scenario == decisive
        assert not error_rules(result)
    else:
        assert decisive in error_rules(result)
    if relative.endswith(".pdf"):
        assert result.embedded_file in {"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"}
    else:
        assert result.embedded_file is None


def test_profile_refusal_names_the_profile(registry: Registry) -> None:
    result = registry.validate_file(
        CORPUS / "ZUGFeRDv2/correct/FNFE-factur-x-examples/Facture_FR_BASICWL.pdf"
    )
    assert [f.rule for f in result.findings] == ["AF-PROFILE"]
    assert "BASIC WL" in result.findings[0].message
    assert "below EN 16931" in result.findings[0].message
    assert result.customization_id == "urn:factur-x.eu:1p0:basicwl"


def test_zugferd_1_refused_as_profile(registry: Registry) -> None:
    """The ZUGFeRD 1.0 XML of the corpus's 1-and-2 PDF, taken out and given as XML."""
    reader = PdfReader(CORPUS / "ZUGFeRDv2/fail/MustangRE-20171118_506_ZUGFeRD1and2.pdf")
    zugferd1 = next(a.content for a in reader.attachment_list if a.name == "ZUGFeRD-invoice.xml")
    result = registry.validate_bytes(zugferd1, name="zugferd1.xml")
    assert [f.rule for f in result.findings] == ["AF-PROFILE"]
    assert "ZUGFeRD 1.0" in result.findings[0].message
    assert (result.customization_id or "").startswith("urn:ferd:")


def test_json_contract_unchanged_for_pdf(registry: Registry) -> None:
    result = registry.validate_file(FX_EINFACH)
    assert result.embedded_file == "factur-x.xml"
    assert set(result.to_dict()) == {
        "file",
        "syntax",
        "customization_id",
        "scenario",
        "verdict",
        "findings",
    }


# -- hostile PDFs -----------------------------------------------------------------------------


def pdf_with(attachments: dict[str, bytes]) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    for name, content in attachments.items():
        writer.add_attachment(name, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def handmade_pdf(objects: list[bytes]) -> bytes:
    """A PDF with the given objects (1 = catalog) and a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def pdf_with_stream(stream: bytes, extra: bytes = b"") -> bytes:
    """One embedded file ``factur-x.xml`` whose stream is ``stream`` (FlateDecode)."""
    return handmade_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
            b"<< /Type /Pages /Kids [] /Count 0 >>",
            b"<< /Names [(factur-x.xml) 4 0 R] >>",
            b"<< /Type /Filespec /F (factur-x.xml) /EF << /F 5 0 R >> >>",
            b"<< /Type /EmbeddedFile /Filter /FlateDecode /Length %d %s >>\nstream\n%s\nendstream"
            % (len(stream), extra, stream),
        ]
    )


def refuse(registry: Registry, data: bytes) -> ValidationResult:
    result = registry.validate_bytes(data, name="hostile.pdf")
    assert result.verdict == "reject"
    assert result.scenario is None
    for finding in result.findings:
        assert "Traceback" not in finding.message and "Error" not in finding.message
    return result


def test_truncated_pdf(registry: Registry) -> None:
    data = FX_EINFACH.read_bytes()
    result = refuse(registry, data[: len(data) // 2])
    assert [f.rule for f in result.findings] == ["AF-PDF"]
    assert "damaged" in result.findings[0].message


def test_garbage_after_header(registry: Registry) -> None:
    result = refuse(registry, b"%PDF-1.7\n" + bytes(range(256)) * 400)
    assert [f.rule for f in result.findings] == ["AF-PDF"]


def test_encrypted_pdf(registry: Registry) -> None:
    for user_password in ("secret", ""):  # also "opens without password" encryption
        writer = PdfWriter(clone_from=FX_EINFACH)
        writer.encrypt(user_password, "owner", algorithm="AES-256")
        out = io.BytesIO()
        writer.write(out)
        result = refuse(registry, out.getvalue())
        assert [f.rule for f in result.findings] == ["AF-PDF"]
        assert "encrypted" in result.findings[0].message


def test_pdf_without_invoice_xml(registry: Registry) -> None:
    for attachments in ({}, {"readme.txt": b"hello"}):
        result = refuse(registry, pdf_with(attachments))
        assert [f.rule for f in result.findings] == ["AF-NO-EINVOICE"]
        assert "not an e-invoice" in result.findings[0].message


def test_embedded_xxe_goes_through_the_xml_checks(registry: Registry) -> None:
    xxe = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:'
        b'CrossIndustryInvoice:100">&x;</rsm:CrossIndustryInvoice>'
    )
    result = refuse(registry, pdf_with({"factur-x.xml": xxe}))
    assert [f.rule for f in result.findings] == ["AF-DOCTYPE"]
    assert result.embedded_file == "factur-x.xml"
    assert "root:" not in str(result.to_dict())


def test_two_xml_attachments(registry: Registry) -> None:
    invoice = CII_EINFACH.read_bytes()
    named = registry.validate_bytes(
        pdf_with({"notes.xml": b"<notes/>", "factur-x.xml": invoice}), name="two.pdf"
    )
    assert named.verdict == "accept" and named.embedded_file == "factur-x.xml"
    unclear = refuse(registry, pdf_with({"a.xml": invoice, "b.xml": invoice}))
    assert [f.rule for f in unclear.findings] == ["AF-PDF"]
    assert "a.xml" in unclear.findings[0].message and "b.xml" in unclear.findings[0].message
    single = registry.validate_bytes(pdf_with({"rechnung.xml": invoice}), name="one.pdf")
    assert single.verdict == "accept" and single.embedded_file == "rechnung.xml"


def test_huge_embedded_file_is_a_limit(registry: Registry) -> None:
    bomb = zlib.compress(b"<a>" + b" " * (100 * 1024 * 1024) + b"</a>", 9)  # 100 MiB → 100 KiB
    result = refuse(registry, pdf_with_stream(bomb))
    assert [f.rule for f in result.findings] == ["AF-LIMIT"]


def test_deep_nesting_and_cycles(registry: Registry) -> None:
    depth = 200_000
    deep = handmade_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Deep %s >>" % (b"[" * depth + b"]" * depth),
            b"<< /Type /Pages /Kids [] /Count 0 >>",
        ]
    )
    assert [f.rule for f in refuse(registry, deep).findings] == ["AF-PDF"]
    cycle = handmade_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
            b"<< /Type /Pages /Kids [] /Count 0 >>",
            b"<< /Kids [3 0 R] >>",  # name tree whose only kid is itself
        ]
    )
    assert [f.rule for f in refuse(registry, cycle).findings] == ["AF-NO-EINVOICE"]


def test_limits_stop_the_child() -> None:
    slow = extract_invoice_xml(FX_EINFACH.read_bytes(), ExtractionLimits(wall_seconds=0.01))
    assert isinstance(slow, PdfRefusal) and slow.rule == "AF-LIMIT"
    forty_mib = pdf_with_stream(zlib.compress(b"<a>" + b" " * (40 * 1024 * 1024) + b"</a>"))
    fits = extract_invoice_xml(forty_mib)  # the default limits allow it
    assert isinstance(fits, EmbeddedXml) and len(fits.data) == 40 * 1024 * 1024 + 7
    tight = extract_invoice_xml(forty_mib, ExtractionLimits(memory_bytes=64 * 1024 * 1024))
    assert isinstance(tight, PdfRefusal) and tight.rule == "AF-LIMIT"


def test_handmade_pdfs_are_readable() -> None:
    """The hand-made PDFs above are readable PDFs (else the tests would prove nothing)."""
    reader = PdfReader(io.BytesIO(pdf_with_stream(zlib.compress(b"<a/>"))))
    assert [(a.name, a.content) for a in reader.attachment_list] == [("factur-x.xml", b"<a/>")]
