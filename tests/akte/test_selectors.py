"""Inbox and file cover: right rows, and a constant number of queries however many there are."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsfluss.akte.models import VorgangStatus
from amtsfluss.akte.selectors.akte import akte_cover, aktenplan_tree
from amtsfluss.akte.selectors.inbox import InboxView, due_wiedervorlagen, inbox_page
from amtsfluss.akte.services.dokument import dokument_create, dokumentversion_add
from amtsfluss.akte.services.vorgang import vorgang_create, vorgang_update
from amtsfluss.akte.services.wiedervorlage import wiedervorlage_create
from tests.akte.conftest import AkteWorld, as_


def fill(akten: AkteWorld, count: int) -> None:
    w = akten.w
    clerk = as_(w.clerk)
    for index in range(count):
        vorgang = vorgang_create(
            principal=clerk,
            akte=akten.offen_32_1,
            betreff=f"Vorgang {index}",
            bearbeiter=w.clerk if index % 2 else None,
            frist=timezone.localdate() + timedelta(days=index),
        )
        dokument = dokument_create(
            principal=clerk, vorgang=vorgang, titel=f"Dok {index}", dokumentdatum=date(2026, 1, 1),
            richtung="eingang", dokumenttyp="schreiben", content=io.BytesIO(f"{index}".encode()),
            dateiname=f"d{index}.pdf", media_type="application/pdf",
        )  # fmt: skip
        dokumentversion_add(
            principal=clerk, dokument=dokument, content=io.BytesIO(f"{index}b".encode()),
            dateiname=f"d{index}.pdf", media_type="application/pdf", kommentar="neu",
        )  # fmt: skip
        wiedervorlage_create(principal=clerk, vorgang=vorgang, faellig_am=timezone.localdate())


def queries_of(call) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_inbox_views(akten: AkteWorld) -> None:
    fill(akten, 4)
    w = akten.w
    clerk = as_(w.clerk)
    mine = inbox_page(principal=clerk, view=InboxView.MINE)
    unit = inbox_page(principal=clerk, view=InboxView.UNIT)
    assert {v.betreff for v in mine.vorgaenge} == {"Vorgang 1", "Vorgang 3"}
    assert {v.betreff for v in unit.vorgaenge} == {"Vorgang 0", "Vorgang 2"}
    assert [v.betreff for v in inbox_page(principal=clerk).vorgaenge][:2] == [
        "Vorgang 0",
        "Vorgang 1",
    ]
    # done Vorgänge leave the inbox; other units never see it
    vorgang_update(principal=clerk, vorgang=mine.vorgaenge[0], status=VorgangStatus.ERLEDIGT)
    assert inbox_page(principal=clerk, view=InboxView.MINE).total == 1
    assert inbox_page(principal=as_(w.other_clerk)).total == 0
    assert inbox_page(principal=as_(w.b_clerk)).total == 0
    assert len(due_wiedervorlagen(principal=clerk)) == 4
    assert due_wiedervorlagen(principal=as_(w.other_clerk)) == []


def test_inbox_and_cover_cost_constant_queries(akten: AkteWorld) -> None:
    clerk = as_(akten.w.clerk)
    fill(akten, 2)
    clerk.unit_ids()  # the principal's facts are loaded once per request, not per list
    small = (
        queries_of(lambda: inbox_page(principal=clerk)),
        queries_of(lambda: due_wiedervorlagen(principal=clerk)),
        queries_of(lambda: akte_cover(principal=clerk, akte=akten.offen_32_1)),
        queries_of(lambda: aktenplan_tree(principal=clerk)),
    )
    fill(akten, 12)
    large = (
        queries_of(lambda: inbox_page(principal=clerk)),
        queries_of(lambda: due_wiedervorlagen(principal=clerk)),
        queries_of(lambda: akte_cover(principal=clerk, akte=akten.offen_32_1)),
        queries_of(lambda: aktenplan_tree(principal=clerk)),
    )
    assert small == large
    assert small == (3, 1, 7, 1)  # inbox: the page, and one count per view it shows


def test_cover_shows_current_versions_and_history(akten: AkteWorld) -> None:
    fill(akten, 1)
    cover = akte_cover(principal=as_(akten.w.clerk), akte=akten.offen_32_1)
    dokument = cover.vorgaenge[0].dokumente.all()[0]
    assert [(v.nummer, v.rendition) for v in dokument.aktuelle_versionen] == [(2, "original")]
    assert cover.history[-1].action == "akte.create"
    assert len(cover.wiedervorlagen) == 1


def test_due_wiedervorlagen_say_who_may_mark_them_done(akten: AkteWorld) -> None:
    """``may_close`` is the CHANGE permission on the Akte, in the list's own query: a
    colleague of another unit with a view-only grant sees a reminder set for them, but may
    not mark it done; the lead unit's clerk may."""
    from amtsfluss.akte.services.akte import beteiligung_grant

    w = akten.w
    clerk = as_(w.clerk)
    beteiligung_grant(principal=clerk, akte=akten.offen_32_1, user=w.other_clerk)
    wiedervorlage_create(
        principal=clerk, akte=akten.offen_32_1, faellig_am=timezone.localdate(),
        fuer_user=w.other_clerk, notiz="Rückruf",
    )  # fmt: skip
    wiedervorlage_create(principal=clerk, akte=akten.offen_32_1, faellig_am=timezone.localdate())
    [theirs] = due_wiedervorlagen(principal=as_(w.other_clerk))
    assert theirs.notiz == "Rückruf" and theirs.may_close is False  # type: ignore[attr-defined]
    mine = due_wiedervorlagen(principal=clerk)
    assert mine and all(row.may_close is True for row in mine)  # type: ignore[attr-defined]
