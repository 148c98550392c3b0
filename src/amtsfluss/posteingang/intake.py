"""Mail and watched folder into the Posteingang: the ``posteingang`` intake handler.

A mail becomes one Sendung — its text (when there is any) and every attachment an Eingang, so
they are filed as Dokumente of one Vorgang. A folder file (a scanner's drop folder) becomes a
Sendung with one Eingang and a Transfervermerk naming the channel as the device.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from amtsfluss.core.intake.handlers import Refused, register_handler
from amtsfluss.core.intake.items import IntakeItem
from amtsfluss.posteingang.models import EingangStatus
from amtsfluss.posteingang.services.eingang import Datei, eingang_receive


def receive_post(item: IntakeItem) -> str:
    files = [Datei(a.filename, a.data) for a in item.attachments]
    if not files and not item.body_text.strip():
        raise Refused(_("The message has neither text nor attachments."))
    is_mail = item.source == "mail"
    sendung = eingang_receive(
        mandant=item.mandant,
        unit=item.unit,
        files=files,
        channel="mail" if is_mail else "ordner",
        provenance=item.provenance,
        betreff=item.provenance.get("subject", "") if is_mail else "",
        body_text=item.body_text if is_mail else "",
        geraet="" if is_mail else item.channel.name,
    )
    refused = sendung.eingaenge.filter(status=EingangStatus.ABGEWIESEN).count()
    total = sendung.eingaenge.count()
    return _("Sendung %(id)s: %(total)d files, %(refused)d refused") % {
        "id": sendung.pk,
        "total": total,
        "refused": refused,
    }


register_handler("posteingang", receive_post)
