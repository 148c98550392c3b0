"""``amtsfluss demo --scale N``: bulk data that keeps the model's rules, one audit event per run."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from amtsfluss.akte.aktenzeichen import AktenzeichenTeile, counter_scope
from amtsfluss.akte.demo import AKTEN
from amtsfluss.akte.models import (
    Akte,
    AktenStatus,
    Beteiligung,
    Dokument,
    Dokumentversion,
    Laufnummer,
    Vertraulichkeit,
    Vorgang,
    VorgangStatus,
)
from amtsfluss.akte.models.aktenzeichen import DEFAULT_PATTERN
from amtsfluss.akte.scale import scale_counts
from amtsfluss.akte.services.akte import check_akte_create
from amtsfluss.core.demo import DEMO_SLUG
from amtsfluss.core.models import AuditEvent, Blob, Mandant, User
from amtsfluss.core.permissions import Principal

pytestmark = pytest.mark.django_db

DEMO_DOKUMENTE = sum(len(v.dokumente) for akte in AKTEN for v in akte.vorgaenge)
DEMO_VORGAENGE = sum(len(akte.vorgaenge) for akte in AKTEN)


@dataclass(frozen=True)
class Counts:
    akten: int
    vorgaenge: int
    dokumente: int
    versionen: int
    blobs: int

    @classmethod
    def of(cls, mandant: Mandant) -> Counts:
        return cls(
            akten=Akte.objects.filter(mandant=mandant).count(),
            vorgaenge=Vorgang.objects.filter(mandant=mandant).count(),
            dokumente=Dokument.objects.filter(mandant=mandant).count(),
            versionen=Dokumentversion.objects.filter(mandant=mandant).count(),
            blobs=Blob.objects.filter(mandant=mandant).count(),
        )

    def __sub__(self, other: Counts) -> tuple[int, int, int, int, int]:
        return (
            self.akten - other.akten,
            self.vorgaenge - other.vorgaenge,
            self.dokumente - other.dokumente,
            self.versionen - other.versionen,
            self.blobs - other.blobs,
        )


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_scale_counts() -> None:
    assert scale_counts(500) == (20, 100)
    assert scale_counts(1_000_000) == (40_000, 200_000)
    assert scale_counts(1) == (1, 1)
    assert scale_counts(503) == (21, 101)


def test_scale_adds_exactly_n_and_keeps_the_model_valid() -> None:
    out = demo("--scale", "500")  # creates the demo first
    assert "500 Dokumente in 100 Vorgängen in 20 Akten added to musterstadt" in out
    assert "Demo-Mandant Musterstadt" in out  # the banner, since the demo was new
    mandant = Mandant.objects.get(slug=DEMO_SLUG)
    first = Counts.of(mandant)
    assert (first.akten, first.vorgaenge, first.dokumente) == (
        len(AKTEN) + 20,
        DEMO_VORGAENGE + 100,
        DEMO_DOKUMENTE + 500,
    )

    out = demo("--scale", "500")  # a second run on top
    assert "500 Dokumente in 100 Vorgängen in 20 Akten" in out
    assert "Demo-Mandant" not in out
    assert Counts.of(mandant) - first == (20, 100, 500, 500, 0)  # the same shared blobs

    akten = Akte.objects.filter(mandant=mandant)
    assert akten.values("aktenzeichen").distinct().count() == akten.count()
    _assert_counters_hold_the_highest_number(mandant)
    _assert_rows_keep_the_rules(mandant)

    events = AuditEvent.objects.filter(mandant=mandant, action="demo.scale").order_by("seq")
    assert [e.details for e in events] == [
        {
            "akten": 20,
            "vorgaenge": 100,
            "dokumente": 500,
            "dokumentversionen": 500,
            "blobs": 5,
            "seed": 0,
        }
    ] * 2
    verify = io.StringIO()
    call_command("audit", "verify", "--quiet", stdout=verify)
    assert "audit chain intact" in verify.getvalue()
    blobs = io.StringIO()
    call_command("blobs", "verify", "--quiet", stdout=blobs, stderr=io.StringIO())
    assert "blobs intact" in blobs.getvalue()

    # a clerk forming an Akte afterwards continues the counter instead of colliding
    scaled = akten.filter(
        federfuehrende_oe__code="32.1", jahr=timezone.localdate().year, position__is_leaf=True
    ).first()
    assert scaled is not None
    clerk = Principal.for_user(User.objects.get(username="sachbearbeitung"))
    fresh = check_akte_create(principal=clerk, position=scaled.position, titel="Neu")
    highest = akten.filter(
        position=scaled.position, federfuehrende_oe=scaled.federfuehrende_oe, jahr=fresh.jahr
    ).exclude(pk=fresh.pk)
    assert fresh.laufnummer == highest.aggregate(n=Max("laufnummer"))["n"] + 1


def _assert_counters_hold_the_highest_number(mandant: Mandant) -> None:
    highest: dict[str, int] = {}
    for code, kennzeichen, jahr, nr in Akte.objects.filter(mandant=mandant).values_list(
        "federfuehrende_oe__code", "position__kennzeichen", "jahr", "laufnummer"
    ):
        scope = counter_scope(DEFAULT_PATTERN, AktenzeichenTeile(code, kennzeichen, jahr))
        highest[scope] = max(highest.get(scope, 0), nr)
    counters = dict(Laufnummer.objects.filter(mandant=mandant).values_list("scope", "letzte"))
    assert counters == highest


def _assert_rows_keep_the_rules(mandant: Mandant) -> None:
    akten = Akte.objects.filter(mandant=mandant)
    # one unit (the demo clerk's 32.1) holds about a tenth of the scaled Akten
    scaled = akten.exclude(pk__in=akten.order_by("pk")[: len(AKTEN)].values("pk"))
    per_unit = Counter(scaled.values_list("federfuehrende_oe__code", flat=True))
    assert per_unit["32.1"] == 4  # 2 of 20 in each run
    assert len(per_unit) >= 15
    # Akten only at leaves whose federführende OE is the Akte's
    assert not akten.filter(position__is_leaf=False).exists()
    assert not scaled.exclude(position__federfuehrende_oe=F("federfuehrende_oe")).exists()
    # zdA: only finished Vorgänge, retention from the position
    closed = akten.filter(status=AktenStatus.ZDA)
    assert (
        not Vorgang.objects.filter(akte__in=closed).exclude(status=VorgangStatus.ERLEDIGT).exists()
    )
    for akte in closed.select_related("position"):
        assert akte.geschlossen_am is not None
        assert (akte.aufbewahren_bis is None) == akte.position.aufbewahrung_dauernd
    assert not akten.filter(status=AktenStatus.OFFEN, geschlossen_am__isnull=False).exists()
    # confidential Akten name their creator, as akte_create does
    for akte in akten.exclude(vertraulichkeit=Vertraulichkeit.OFFEN):
        assert Beteiligung.objects.filter(akte=akte, user_id=akte.created_by_id).exists()
    # five Dokumente per Vorgang, five Vorgänge per Akte, one current original each
    vorgaenge = Vorgang.objects.filter(akte__in=scaled).annotate(n=Count("dokumente"))
    assert set(vorgaenge.values_list("n", flat=True)) == {5}
    assert set(scaled.annotate(n=Count("vorgaenge")).values_list("n", flat=True)) == {5}
    versions = Dokumentversion.objects.filter(mandant=mandant)
    assert (
        not Dokument.objects.filter(mandant=mandant)
        .annotate(n=Count("versionen", filter=Q(versionen__ist_aktuell=True)))
        .exclude(n=1)
        .exists()
    )
    shared = versions.filter(dokument__vorgang__akte__in=scaled)
    assert shared.values("blob").distinct().count() == 5
    assert not Vorgang.objects.filter(
        status=VorgangStatus.ERLEDIGT, erledigt_am__isnull=True
    ).exists()


def test_scale_needs_a_positive_number() -> None:
    with pytest.raises(CommandError, match="positive"):
        demo("--scale", "0")
    assert not Mandant.objects.filter(slug=DEMO_SLUG).exists()


def test_demo_without_scale_still_refuses_to_run_twice() -> None:
    demo()
    with pytest.raises(CommandError, match="exists already"):
        demo()
    assert "Demo-Mandant Musterstadt" in demo("--if-empty")
