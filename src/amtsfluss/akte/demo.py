"""E-Akte demo data for Musterstadt: the Aktenplan and about twenty lived-in Akten.

Importing this module appends ``create_akte_demo`` to ``amtsfluss.core.demo.DEMO_STEPS``
(``amtsfluss demo`` imports every app's ``demo`` module before it builds the demo). Everything
is made through the services in ``akte/services`` with a ``Principal`` of the demo user who
would do it, so the audit log reads like real use. Names of people and firms are invented.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources

from django.utils import timezone

from amtsfluss.akte.access import access_akte, access_vorgang
from amtsfluss.akte.models import (
    Akte,
    Aktenplanposition,
    Dokumenttyp,
    Person,
    PersonArt,
    Richtung,
    Vertraulichkeit,
    Vorgang,
    VorgangStatus,
)
from amtsfluss.akte.services.akte import akte_close, beteiligter_add, check_akte_create
from amtsfluss.akte.services.aktenplan_io import aktenplan_import
from amtsfluss.akte.services.dokument import dokument_create
from amtsfluss.akte.services.vorgang import vorgang_create, vorgang_update
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create
from amtsfluss.core.demo import DEMO_STEPS
from amtsfluss.core.models import Mandant, Organisationseinheit, User
from amtsfluss.core.permissions import Action, Principal
from amtsfluss.core.text_pdf import text_pdf

AKTENPLAN_FILE = "aktenplan_musterstadt.json"

#: Positions of the demo Aktenplan that other modules file into (purpose → Kennzeichen).
DEMO_POSITIONS = {
    "gewerbeanzeigen": "1.2.1",  # Gewerbeamt 32.1
    "personenstandsurkunden": "1.6.5",  # Standesamt 34
    "eingangsrechnungen": "9.3.1",  # Stadtkasse 20.2
    "zahlungsverkehr": "9.3.2",  # Stadtkasse 20.2
    "auszahlungsanordnungen": "9.3.3",  # Stadtkasse 20.2
    "haushaltsvollzug": "9.1.3",  # Haushalt und Controlling 20.1
    "baugenehmigungen_wohngebaeude": "6.3.1.1",  # Baugenehmigungen 63.1
    "baugenehmigungen_gewerbe": "6.3.1.2",  # Baugenehmigungen 63.1
}


#: The Bauordnung has no user among the platform's demo users; this one is added here.
def aktenplan_bytes() -> bytes:
    return resources.files("amtsfluss.akte.data").joinpath(AKTENPLAN_FILE).read_bytes()


# --- the demo Akten ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPerson:
    name: str
    vorname: str = ""
    art: str = PersonArt.NATUERLICH
    strasse: str = ""
    registernummer: str = ""
    geburtsdatum: date | None = None


@dataclass(frozen=True)
class DemoVorgang:
    betreff: str
    dokumente: tuple[tuple[str, str, str], ...]  # (Titel, Dokumenttyp, Richtung)
    assigned: bool = True  # to the Akte's clerk; otherwise to the unit only
    frist_in_days: int | None = None  # 0 = today, negative = overdue
    erledigt: bool = False
    wiedervorlage_today: bool = False


@dataclass(frozen=True)
class DemoAkte:
    user: str
    kennzeichen: str
    titel: str
    vorgaenge: tuple[DemoVorgang, ...]
    beteiligte: tuple[tuple[DemoPerson, str], ...] = ()
    vertraulich: bool = False
    zda: bool = False
    unit: str | None = None  # default: the position's federführende OE
    wiedervorlage_today: bool = False


IN, OUT, INTERN = Richtung.EINGANG, Richtung.AUSGANG, Richtung.INTERN
T = Dokumenttyp

BAECKEREI = DemoPerson(
    "Bäckerei Korn GmbH",
    art=PersonArt.JURISTISCH,
    strasse="Marktstraße 3",
    registernummer="HRB 4711",
)
FUNKE = DemoPerson("Funke", "Elias", strasse="Kanalweg 8")
NADEL = DemoPerson("Nadel", "Gisela", strasse="Schneidergasse 2")
FERNWEH = DemoPerson(
    "Reisebüro Fernweh UG (haftungsbeschränkt)",
    art=PersonArt.JURISTISCH,
    strasse="Bahnhofstraße 21",
    registernummer="HRB 9120",
)
BECKER = DemoPerson("Becker", "Jana", strasse="Am Mühlbach 5", geburtsdatum=date(1991, 4, 12))
WACHSAM = DemoPerson(
    "Sicherheitsdienst Wachsam GmbH",
    art=PersonArt.JURISTISCH,
    strasse="Industriering 40",
    registernummer="HRB 5532",
)
RATHAUSBLICK = DemoPerson("Café Rathausblick", art=PersonArt.JURISTISCH, strasse="Markt 1")
SCHRADER = DemoPerson("Schrader", "Marco", strasse="Lindenallee 19", geburtsdatum=date(1978, 9, 3))
GLUECKSRAD = DemoPerson("Spielothek Glücksrad KG", art=PersonArt.JURISTISCH, strasse="Ringstraße 7")
WEBER = DemoPerson("Weber", "Lena", strasse="Rosenweg 4", geburtsdatum=date(1994, 2, 17))
YILMAZ = DemoPerson("Yılmaz", "Deniz", strasse="Rosenweg 4", geburtsdatum=date(1992, 11, 30))
HOFFMANN = DemoPerson("Hoffmann", "Sarah", strasse="Querstraße 11", geburtsdatum=date(1996, 6, 8))
ALBERS = DemoPerson(
    "Albers", "Heinrich", strasse="Seniorenstift Abendrot", geburtsdatum=date(1938, 1, 5)
)
ALBERS_TOCHTER = DemoPerson("Albers", "Monika", strasse="Gartenstraße 2")
NOWAK = DemoPerson("Nowak", "Piotr", strasse="Brunnenweg 6", geburtsdatum=date(1985, 3, 22))
KRAUSE = DemoPerson("Krause", "Thomas", strasse="Lindenweg 12", geburtsdatum=date(1980, 7, 14))
ARCHITEKTIN = DemoPerson(
    "Architekturbüro Winkel & Lot", art=PersonArt.JURISTISCH, strasse="Planstraße 9"
)
FUHRMANN = DemoPerson(
    "Spedition Fuhrmann GmbH",
    art=PersonArt.JURISTISCH,
    strasse="Hafenstraße 30",
    registernummer="HRB 2208",
)
MEYER = DemoPerson("Meyer", "Ursula", strasse="Feldstraße 4")
WOHNBAU = DemoPerson("Wohnbau Musterstadt eG", art=PersonArt.JURISTISCH, strasse="Gartenstraße 20")
SCHULZ = DemoPerson("Schulz", "Karin", strasse="Birkenallee 7")

AKTEN: tuple[DemoAkte, ...] = (
    # --- Gewerbe (32.1), Sabine Sachs --------------------------------------------------------
    DemoAkte(
        "sachbearbeitung",
        "1.2.1",
        "Bäckerei Korn GmbH, Marktstraße 3",
        (
            DemoVorgang(
                "Gewerbeanmeldung Filiale Bahnhofstraße",
                (
                    ("Gewerbeanmeldung (GewA 1)", T.ANTRAG, IN),
                    ("Auszug aus dem Handelsregister", T.NACHWEIS, IN),
                    ("Empfangsbestätigung der Gewerbeanmeldung", T.BESCHEID, OUT),
                ),
                frist_in_days=0,
                wiedervorlage_today=True,
            ),
        ),
        beteiligte=((BAECKEREI, "Gewerbetreibende"),),
    ),
    DemoAkte(
        "sachbearbeitung",
        "1.2.1",
        "Elektro Funke e. K.",
        (
            DemoVorgang(
                "Gewerbeummeldung: Verlegung der Betriebsstätte",
                (("Gewerbeummeldung (GewA 2)", T.ANTRAG, IN),),
                assigned=False,
                frist_in_days=-5,
            ),
        ),
        beteiligte=((FUNKE, "Gewerbetreibender"),),
    ),
    DemoAkte(
        "sachbearbeitung",
        "1.2.1",
        "Schneiderei Nadelöhr, Gisela Nadel",
        (
            DemoVorgang(
                "Gewerbeabmeldung zum Jahresende",
                (
                    ("Gewerbeabmeldung (GewA 3)", T.ANTRAG, IN),
                    ("Bestätigung der Gewerbeabmeldung", T.BESCHEID, OUT),
                ),
                erledigt=True,
            ),
        ),
        beteiligte=((NADEL, "Gewerbetreibende"),),
        zda=True,
    ),
    DemoAkte(
        "sachbearbeitung",
        "1.2.1",
        "Reisebüro Fernweh UG",
        (
            DemoVorgang(
                "Gewerbeanmeldung Reisevermittlung",
                (
                    ("Gewerbeanmeldung (GewA 1)", T.ANTRAG, IN),
                    ("Rückfrage zur Tätigkeitsbeschreibung", T.SCHREIBEN, OUT),
                ),
                frist_in_days=14,
            ),
        ),
        beteiligte=((FERNWEH, "Gewerbetreibende"),),
    ),
    DemoAkte(
        "sachbearbeitung",
        "1.2.1",
        "IT-Dienstleistungen Jana Becker",
        (
            DemoVorgang(
                "Gewerbeanmeldung (online eingegangen)",
                (("Gewerbeanmeldung über das Bürgerportal", T.ANTRAG, IN),),
                assigned=False,
            ),
        ),
        beteiligte=((BECKER, "Gewerbetreibende"),),
    ),
    DemoAkte(
        "sachbearbeitung",
        "1.2.2.1",
        "Erlaubnis nach § 34a GewO – Sicherheitsdienst Wachsam GmbH",
        (
            DemoVorgang(
                "Zuverlässigkeitsprüfung der Geschäftsführung",
                (
                    ("Antrag auf Bewachungserlaubnis", T.ANTRAG, IN),
                    ("Anfrage an das Bundeszentralregister", T.SCHREIBEN, OUT),
                    ("Vermerk zur Zuverlässigkeit", T.VERMERK, INTERN),
                ),
                frist_in_days=-2,
            ),
        ),
        beteiligte=((WACHSAM, "Antragstellerin"),),
        vertraulich=True,
        wiedervorlage_today=True,
    ),
    DemoAkte(
        "sachbearbeitung",
        "1.2.3",
        "Café Rathausblick, Markt 1",
        (
            DemoVorgang(
                "Gestattung für das Altstadtfest",
                (("Antrag auf Gestattung nach § 12 GastG", T.ANTRAG, IN),),
                assigned=False,
                frist_in_days=0,
            ),
        ),
        beteiligte=((RATHAUSBLICK, "Antragstellerin"),),
    ),
    DemoAkte(
        "sachbearbeitung",
        "1.2.6",
        "Gewerbeuntersagungsverfahren Marco Schrader",
        (
            DemoVorgang(
                "Anhörung vor der Untersagung",
                (
                    ("Mitteilung des Finanzamts über Steuerrückstände", T.SCHREIBEN, IN),
                    ("Anhörungsschreiben", T.SCHREIBEN, OUT),
                ),
                frist_in_days=7,
            ),
        ),
        beteiligte=((SCHRADER, "Betroffener"),),
        vertraulich=True,
    ),
    DemoAkte(
        "sachbearbeitung",
        "1.2.2.3",
        "Spielothek Glücksrad KG, Ringstraße 7",
        (
            DemoVorgang(
                "Verlängerung der Spielhallenerlaubnis",
                (("Antrag auf Verlängerung", T.ANTRAG, IN),),
                assigned=False,
                frist_in_days=30,
            ),
        ),
        beteiligte=((GLUECKSRAD, "Betreiberin"),),
    ),
    # --- Standesamt (34), Stefanie Standl ----------------------------------------------------
    DemoAkte(
        "standesamt",
        "1.6.2.2",
        "Eheschließung Weber / Yılmaz",
        (
            DemoVorgang(
                "Anmeldung der Eheschließung",
                (
                    ("Anmeldung der Eheschließung", T.ANTRAG, IN),
                    ("Geburtsurkunden der Verlobten", T.NACHWEIS, IN),
                    ("Terminbestätigung Trauung", T.SCHREIBEN, OUT),
                ),
                frist_in_days=21,
            ),
        ),
        beteiligte=((WEBER, "Verlobte"), (YILMAZ, "Verlobter")),
        vertraulich=True,
    ),
    DemoAkte(
        "standesamt",
        "1.6.5",
        "Urkundenanforderungen (Sammelakte)",
        (
            DemoVorgang(
                "Geburtsurkunde für Rentenantrag",
                (("Anforderung einer Geburtsurkunde", T.ANTRAG, IN),),
                assigned=False,
                frist_in_days=0,
            ),
            DemoVorgang(
                "Sterbeurkunden für Nachlassgericht",
                (
                    ("Anforderung von drei Sterbeurkunden", T.EMAIL, IN),
                    ("Gebührenrechnung", T.RECHNUNG, OUT),
                ),
                assigned=False,
                frist_in_days=-1,
            ),
            DemoVorgang(
                "Eheurkunde (online bestellt)",
                (("Online-Bestellung Eheurkunde", T.ANTRAG, IN),),
                frist_in_days=3,
            ),
        ),
    ),
    DemoAkte(
        "standesamt",
        "1.6.1.2",
        "Geburt Emma Hoffmann",
        (
            DemoVorgang(
                "Beurkundung der Geburt",
                (
                    ("Geburtsanzeige der Klinik", T.SCHREIBEN, IN),
                    ("Vermerk zur Namensbestimmung", T.VERMERK, INTERN),
                ),
                frist_in_days=2,
            ),
        ),
        beteiligte=((HOFFMANN, "Mutter"),),
        vertraulich=True,
    ),
    DemoAkte(
        "standesamt",
        "1.6.4.2",
        "Sterbefall Heinrich Albers",
        (
            DemoVorgang(
                "Beurkundung des Sterbefalls",
                (
                    ("Todesbescheinigung", T.NACHWEIS, IN),
                    ("Sterbefallanzeige des Bestatters", T.SCHREIBEN, IN),
                ),
                frist_in_days=1,
            ),
        ),
        beteiligte=((ALBERS, "Verstorbener"), (ALBERS_TOCHTER, "Anzeigende")),
        vertraulich=True,
    ),
    DemoAkte(
        "standesamt",
        "1.6.6",
        "Namenserklärung Familie Nowak",
        (
            DemoVorgang(
                "Erklärung zur Namensangleichung",
                (("Namenserklärung nach Art. 47 EGBGB", T.ANTRAG, IN),),
                assigned=False,
            ),
        ),
        beteiligte=((NOWAK, "Erklärender"),),
    ),
    # --- Bauordnung (63.1), Bernd Baumann ----------------------------------------------------
    DemoAkte(
        "bauordnung",
        "6.3.1.1",
        "Neubau Einfamilienhaus, Lindenweg 12 (Flur 3, Flurstück 117)",
        (
            DemoVorgang(
                "Bauantrag",
                (
                    ("Bauantrag mit Bauvorlagen", T.ANTRAG, IN),
                    ("Lageplan", T.NACHWEIS, IN),
                    ("Nachforderung fehlender Unterlagen", T.SCHREIBEN, OUT),
                ),
                frist_in_days=30,
                wiedervorlage_today=True,
            ),
            DemoVorgang(
                "Beteiligung der Nachbarn",
                (("Einwendung Nachbar Lindenweg 14", T.SCHREIBEN, IN),),
                assigned=False,
                frist_in_days=-3,
            ),
        ),
        beteiligte=((KRAUSE, "Bauherr"), (ARCHITEKTIN, "Entwurfsverfasserin")),
    ),
    DemoAkte(
        "bauordnung",
        "6.3.1.2",
        "Erweiterung Lagerhalle Spedition Fuhrmann GmbH, Hafenstraße 30",
        (
            DemoVorgang(
                "Bauantrag Hallenerweiterung",
                (
                    ("Bauantrag", T.ANTRAG, IN),
                    ("Brandschutzkonzept", T.NACHWEIS, IN),
                ),
                assigned=False,
                frist_in_days=-10,
            ),
        ),
        beteiligte=((FUHRMANN, "Bauherrin"),),
    ),
    DemoAkte(
        "bauordnung",
        "6.3.1.5",
        "Abbruch einer Scheune, Feldstraße 4",
        (
            DemoVorgang(
                "Abbruchanzeige",
                (("Abbruchanzeige", T.ANTRAG, IN),),
                frist_in_days=10,
            ),
        ),
        beteiligte=((MEYER, "Eigentümerin"),),
    ),
    DemoAkte(
        "bauordnung",
        "6.3.2",
        "Bauvoranfrage Mehrfamilienhaus, Gartenstraße 20",
        (
            DemoVorgang(
                "Vorbescheid zur Bebaubarkeit",
                (
                    ("Bauvoranfrage", T.ANTRAG, IN),
                    ("Stellungnahme der Stadtplanung", T.VERMERK, INTERN),
                ),
                assigned=False,
            ),
        ),
        beteiligte=((WOHNBAU, "Bauherrin"),),
    ),
    DemoAkte(
        "bauordnung",
        "6.3.1.3",
        "Anbau Wintergarten, Birkenallee 7",
        (
            DemoVorgang(
                "Vereinfachtes Genehmigungsverfahren",
                (
                    ("Bauantrag im vereinfachten Verfahren", T.ANTRAG, IN),
                    ("Baugenehmigung", T.BESCHEID, OUT),
                ),
                frist_in_days=5,
            ),
        ),
        beteiligte=((SCHULZ, "Bauherrin"),),
    ),
    DemoAkte(
        "bauordnung",
        "6.3.3",
        "Abstandsflächenbaulast Lindenweg 12/14",
        (
            DemoVorgang(
                "Eintragung der Baulast",
                (("Verpflichtungserklärung des Nachbarn", T.NACHWEIS, IN),),
                frist_in_days=0,
            ),
        ),
        beteiligte=((KRAUSE, "Begünstigter"),),
        unit="63.1",
    ),
)


def create_akte_demo(mandant: Mandant, users: dict[str, User]) -> None:
    """The demo step: import the Aktenplan (as Registratur), then form the demo Akten."""
    aktenplan_import(
        mandant=mandant, data=aktenplan_bytes(), fmt="json", by=users.get("registratur")
    )
    positions = {p.kennzeichen: p for p in Aktenplanposition.objects.filter(mandant=mandant)}
    units = {u.code: u for u in Organisationseinheit.objects.filter(mandant=mandant)}
    persons: dict[DemoPerson, Person] = {}
    today = timezone.localdate()
    for number, spec in enumerate(AKTEN, 1):
        _create_akte(spec, number, mandant, users, positions, units, persons, today)


def _create_akte(
    spec: DemoAkte,
    number: int,
    mandant: Mandant,
    users: dict[str, User],
    positions: dict[str, Aktenplanposition],
    units: dict[str, Organisationseinheit],
    persons: dict[DemoPerson, Person],
    today: date,
) -> Akte:
    user = users[spec.user]
    principal = Principal.for_user(user)
    akte = check_akte_create(
        principal=principal,
        position=positions[spec.kennzeichen],
        titel=spec.titel,
        federfuehrende_oe=units[spec.unit] if spec.unit else None,
        vertraulichkeit=Vertraulichkeit.VERTRAULICH if spec.vertraulich else Vertraulichkeit.OFFEN,
    )
    akte = access_akte(principal, akte.pk, Action.CHANGE)
    for demo_person, rolle in spec.beteiligte:
        person = persons.get(demo_person) or _person(mandant, demo_person)
        persons[demo_person] = person
        beteiligter_add(principal=principal, akte=akte, person=person, rolle=rolle)
    for index, vorgang_spec in enumerate(spec.vorgaenge):
        eingang = today - timedelta(days=3 + 4 * index + number % 5)
        vorgang = vorgang_create(
            principal=principal,
            akte=akte,
            betreff=vorgang_spec.betreff,
            eingangsdatum=eingang,
            bearbeiter=user if vorgang_spec.assigned else None,
            frist=None
            if vorgang_spec.frist_in_days is None
            else today + timedelta(days=vorgang_spec.frist_in_days),
        )
        _add_dokumente(principal, vorgang, vorgang_spec, akte, eingang, spec)
        if vorgang_spec.wiedervorlage_today:
            wiedervorlage_create(
                principal=principal,
                vorgang=access_vorgang(principal, vorgang.pk),
                faellig_am=today,
                notiz=f"Unterlagen zu „{vorgang_spec.betreff}“ prüfen",
            )
        if vorgang_spec.erledigt:
            vorgang_update(principal=principal, vorgang=vorgang, status=VorgangStatus.ERLEDIGT)
    if spec.wiedervorlage_today:
        wiedervorlage_create(
            principal=principal, akte=akte, faellig_am=today, notiz="Sachstand nachhalten"
        )
    if spec.zda:
        akte = akte_close(principal=principal, akte=akte)
    return akte


def _add_dokumente(
    principal: Principal,
    vorgang: Vorgang,
    spec: DemoVorgang,
    akte: Akte,
    eingang: date,
    akte_spec: DemoAkte,
) -> None:
    sender = akte_spec.beteiligte[0][0] if akte_spec.beteiligte else None
    sender_name = f"{sender.vorname} {sender.name}".strip() if sender else ""
    for index, (titel, typ, richtung) in enumerate(spec.dokumente):
        datum = eingang + timedelta(days=index)
        pdf = text_pdf(
            [
                "Stadt Musterstadt",
                f"Aktenzeichen: {akte.aktenzeichen}",
                f"{titel} vom {datum:%d.%m.%Y}",
                f"Betreff: {spec.betreff}",
                "Demo-Dokument - erfundene Angaben.",
            ]
        )
        dokument_create(
            principal=principal,
            vorgang=vorgang,
            titel=titel,
            dokumentdatum=datum,
            richtung=richtung,
            dokumenttyp=typ,
            content=io.BytesIO(pdf),
            dateiname=f"{_slug(titel)}.pdf",
            media_type="application/pdf",
            absender_empfaenger=sender_name if richtung != INTERN else "",
        )


def _person(mandant: Mandant, spec: DemoPerson) -> Person:
    # No service for Person records exists yet; this is the row such a service would write.
    return Person.objects.create(
        mandant=mandant,
        art=spec.art,
        name=spec.name,
        vorname=spec.vorname,
        geburtsdatum=spec.geburtsdatum,
        registernummer=spec.registernummer,
        strasse=spec.strasse,
        plz="12345",
        ort="Musterstadt",
    )


def _slug(titel: str) -> str:
    table = str.maketrans(
        {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
    )
    words = "".join(ch if ch.isalnum() else " " for ch in titel.translate(table)).split()
    return "-".join(words).lower()[:80] or "dokument"


if create_akte_demo not in DEMO_STEPS:
    DEMO_STEPS.append(create_akte_demo)
