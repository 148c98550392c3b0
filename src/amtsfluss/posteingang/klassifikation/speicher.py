"""Where a Mandant's model lives: a signed archive in the blob store, loaded once per process.

Only archives this installation wrote are read: the blob store checks the SHA-256 of the bytes,
then the HMAC under the secret key is checked, and only then NumPy reads plain arrays from it
(never pickle). A model that fails any check is marked ``verworfen``, never read again, and a
new training is queued.
"""

from __future__ import annotations

import logging
import threading

from django.db import transaction
from django.db.models import Max
from django.utils.crypto import constant_time_compare, salted_hmac

from amtsfluss.core.blobs import BlobIntegrityError, BlobMissing
from amtsfluss.core.models import Mandant
from amtsfluss.core.services.blobs import blob_open, blob_store
from amtsfluss.posteingang.klassifikation import modell
from amtsfluss.posteingang.models import Klassifikator

logger = logging.getLogger(__name__)

_SALT = "amtsfluss.posteingang.klassifikator"
_lock = threading.Lock()
#: mandant id → (Klassifikator id, model) of this process
_loaded: dict[int, tuple[int, modell.Modell]] = {}


def signature(data: bytes) -> str:
    return salted_hmac(_SALT, data, algorithm="sha256").hexdigest()


def klassifikator_store(
    *, mandant: Mandant, trained: modell.Modell, beispiele: int, kennzahlen: dict[str, object]
) -> Klassifikator:
    """Store a trained model as the Mandant's newest version (bytes first, then the row)."""
    data = modell.dump(trained)
    blob = blob_store(mandant=mandant, content=data)
    with transaction.atomic():
        Mandant.objects.select_for_update().filter(pk=mandant.pk).first()  # one version at a time
        last = Klassifikator.objects.filter(mandant=mandant).aggregate(v=Max("version"))["v"]
        return Klassifikator.objects.create(
            mandant=mandant,
            version=(last or 0) + 1,
            blob=blob,
            signatur=signature(data),
            beispiele=beispiele,
            kennzahlen=kennzahlen,
        )


def _read(klassifikator: Klassifikator) -> modell.Modell:
    try:
        with blob_open(blob=klassifikator.blob) as reader:
            data = reader.read_all()
    except (BlobIntegrityError, BlobMissing) as exc:
        raise modell.ModellFehler(f"the stored model is damaged or missing: {exc}") from exc
    if not constant_time_compare(signature(data), klassifikator.signatur):
        raise modell.ModellFehler("the model's signature does not match: not written by us")
    return modell.load(data)


def current(mandant_id: int) -> tuple[Klassifikator, modell.Modell] | None:
    """The Mandant's newest usable model (one query when it is loaded already), or None."""
    newest = (
        Klassifikator.objects.filter(mandant_id=mandant_id, verworfen=False)
        .select_related("blob")
        .order_by("-version")
        .first()
    )
    if newest is None:
        return None
    cached = _loaded.get(mandant_id)
    if cached is not None and cached[0] == newest.pk:
        return newest, cached[1]
    with _lock:
        try:
            loaded = _read(newest)
        except modell.ModellFehler as exc:
            _refuse(newest, str(exc))
            return None
        _loaded[mandant_id] = (newest.pk, loaded)
    return newest, loaded


def _refuse(klassifikator: Klassifikator, reason: str) -> None:
    logger.error(
        "posteingang: model v%s of Mandant %s refused (%s); training a new one",
        klassifikator.version,
        klassifikator.mandant_id,
        reason,
    )
    Klassifikator.objects.filter(pk=klassifikator.pk).update(verworfen=True)
    from amtsfluss.posteingang.tasks import train_klassifikator

    transaction.on_commit(lambda: train_klassifikator.enqueue(klassifikator.mandant_id))


def forget() -> None:
    """Drop the models loaded by this process (tests)."""
    _loaded.clear()
