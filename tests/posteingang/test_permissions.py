"""An Eingang is seen by its unit (and the Amtsleitung above it), never by another unit or
another Mandant; Klärungsfälle are listed per unit and retried from the failed step."""

from __future__ import annotations

import pytest
from django.http import Http404

from amtsfluss.core.errors import ServiceError
from amtsfluss.core.models import Blob
from amtsfluss.core.permissions import Action, Principal, access, permitted
from amtsfluss.posteingang.models import Eingang, EingangStatus, PosteingangEinstellung, Schritt
from amtsfluss.posteingang.selectors import klaerungsfaelle
from amtsfluss.posteingang.services.ablage import posteingang_position_set
from amtsfluss.posteingang.services.klaerung import eingang_retry
from tests.posteingang import files
from tests.posteingang.conftest import Post

pytestmark = pytest.mark.django_db


def test_an_eingang_is_visible_only_to_its_unit(post: Post) -> None:
    sendung = post.receive(("brief.pdf", files.text_pdf("Anhörung zur Gewerbeuntersagung")))
    eingang = sendung.eingaenge.get()
    w = post.w
    for user in (w.clerk, w.head):
        assert access(
            Eingang, principal=Principal.for_user(user), action=Action.VIEW, pk=eingang.pk
        )
    for user in (w.other_clerk, w.dsb):
        with pytest.raises(Http404):
            access(Eingang, principal=Principal.for_user(user), action=Action.VIEW, pk=eingang.pk)
        assert not permitted(Eingang, principal=Principal.for_user(user), action=Action.VIEW)
    foreign = Principal(user=w.b_clerk, mandant=w.a)
    assert not permitted(Eingang, principal=foreign, action=Action.VIEW).exists()
    with pytest.raises(Http404):
        access(Eingang, principal=Principal.for_user(w.b_clerk), action=Action.VIEW, pk=eingang.pk)


def test_a_clerk_cannot_hand_in_for_another_unit(post: Post) -> None:
    from amtsfluss.posteingang.services.eingang import Datei, eingang_receive

    with pytest.raises(ServiceError, match="your own units"):
        eingang_receive(
            mandant=post.w.a,
            unit=post.w.units["32.2"],
            files=[Datei("brief.pdf", files.text_pdf("Ein Brief an die Verkehrsabteilung"))],
            channel="upload",
            provenance={},
            principal=Principal.for_user(post.w.clerk),
        )


def test_a_klaerungsfall_is_listed_and_retried_from_its_failed_step(post: Post) -> None:
    PosteingangEinstellung.objects.all().delete()  # nowhere to file: filing fails
    sendung = post.receive(("brief.pdf", files.text_pdf("Antrag auf Akteneinsicht nach IFG")))
    [eingang] = post.process(sendung)
    assert eingang.status == EingangStatus.KLAERUNG and eingang.schritt == Schritt.ABLAGE
    assert "keine Aktenplanposition" in eingang.grund  # stored in the administration's language
    clerk = Principal.for_user(post.w.clerk)
    assert list(klaerungsfaelle(principal=clerk, unit=post.unit)) == [eingang]
    assert not klaerungsfaelle(principal=Principal.for_user(post.w.other_clerk)).exists()
    blobs_before = Blob.objects.count()
    preview_before = eingang.vorschau_id

    posteingang_position_set(mandant=post.w.a, position_id=post.position.pk)
    eingang = eingang_retry(
        principal=clerk,
        eingang=access(Eingang, principal=clerk, action=Action.CHANGE, pk=eingang.pk),
    )
    assert eingang.status == EingangStatus.GEPRUEFT and eingang.versuche == 1
    [eingang] = post.process(sendung)

    assert eingang.status == EingangStatus.BEREIT and eingang.dokument is not None
    assert eingang.vorschau_id == preview_before  # the finished steps were not run again
    assert Blob.objects.count() == blobs_before
    assert not klaerungsfaelle(principal=clerk).exists()
    with pytest.raises(ServiceError, match="Only a Klärungsfall"):
        eingang_retry(principal=clerk, eingang=eingang)
