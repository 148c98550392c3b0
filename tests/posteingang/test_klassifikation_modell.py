"""The model: trained on the Mandant's filed letters, stored as a signed NumPy archive, loaded
once, used by the pipeline above the threshold; a damaged or foreign archive is refused (and a
new training queued); nothing in an archive is ever unpickled."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from sklearn.linear_model import SGDClassifier  # type: ignore[import-untyped]

from amtsfluss.core.blobs import get_blob_store
from amtsfluss.posteingang.klassifikation import korpus, modell, speicher
from amtsfluss.posteingang.models import Klassifikator
from amtsfluss.posteingang.services.klassifikation import klassifikator_train
from tests.posteingang.conftest import Post
from tests.posteingang.klassifikation_helpers import (
    aktenplan,
    filed_corpus,
    receive_letter,
    vorschlag_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_models() -> None:
    speicher.forget()


def test_the_model_learns_the_generated_letters_and_its_own_arithmetic_matches_sklearn(
    post: Post,
) -> None:
    aktenplan(post)
    beispiele = korpus.generated_examples(mandant=post.w.a, letters_per_akte=10)
    train, test = beispiele[::2], beispiele[1::2]
    trained = modell.train([b.text for b in train], korpus.labels_of(train))
    assert set(trained.ziele) == {"position", "dokumenttyp", "akte"}  # one unit: nothing to choose
    right = sum(1 for b in test if trained.predict(b.text)["position"].label == b.position)
    assert right / len(test) > 0.8
    # our sparse arithmetic is scikit-learn's predict_proba of the same classifier
    x = modell.weigh(modell.counts([b.text for b in train]), trained.idf)
    clf = SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=50, tol=1e-4, random_state=4711)
    clf.fit(x, [b.dokumenttyp for b in train])
    ours = modell.Ziel(classes=clf.classes_, coef=clf.coef_, intercept=clf.intercept_)
    probe = modell.weigh(modell.counts([test[0].text]), trained.idf)
    assert np.allclose(ours.probabilities(probe), clf.predict_proba(probe)[0], atol=1e-5)
    # dump and load give the same predictions
    again = modell.load(modell.dump(trained))
    assert again.predict(test[0].text) == trained.predict(test[0].text)


def test_training_on_filed_letters_and_the_pipeline_uses_the_model(
    post: Post, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    plan = aktenplan(post)
    akten = filed_corpus(post, plan, letters_per_akte=6)
    w = post.w
    trained = klassifikator_train(mandant=w.a)
    assert trained is not None and trained.version == 1 and trained.beispiele == 60
    assert trained.kennzahlen["position"]["classes"] == 5
    assert klassifikator_train(mandant=w.b) is None  # nothing filed in the other Mandant
    # a new letter like those of 33.1 (the Fundbüro) is suggested there by the model
    letter = (
        "Sehr geehrte Damen und Herren,\nBetreff: Anfrage Fundsachen Fundbüro\n"
        "ich habe meinen Schlüssel verloren, wurde er gefunden? Es geht um Finderlohn."
    )
    vorschlag = vorschlag_of(receive_letter(post, letter))
    assert vorschlag.modellversion == 1
    assert vorschlag.aktenplanposition == plan.positions["33.1"]
    assert vorschlag.details["position"]["quelle"] == "modell"
    assert vorschlag.details["position"]["konfidenz"] >= 0.5
    assert vorschlag.akte is None or vorschlag.akte in akten.values()
    # the other Mandant's post never gets this Mandant's model
    assert speicher.current(w.b.pk) is None


def _train(post: Post) -> Klassifikator:
    plan = aktenplan(post)
    filed_corpus(post, plan, letters_per_akte=4)
    trained = klassifikator_train(mandant=post.w.a)
    assert trained is not None
    return trained


def test_a_damaged_model_file_is_refused_and_retrained(
    post: Post, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    trained = _train(post)
    path = get_blob_store().path(trained.blob.sha256)  # type: ignore[attr-defined]
    mode = path.stat().st_mode
    original = path.read_bytes()
    damaged = bytearray(original)
    damaged[len(damaged) // 2] ^= 0xFF
    path.chmod(0o644)
    path.write_bytes(bytes(damaged))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert speicher.current(post.w.a.pk) is None
    finally:  # the session's blob store is shared by all tests
        path.write_bytes(original)
        path.chmod(mode)
    trained.refresh_from_db()
    assert trained.verworfen
    queued = DBTaskResult.objects.filter(task_path__endswith="train_klassifikator")
    assert queued.count() == 1 and queued.get().args_kwargs["args"] == [post.w.a.pk]
    retrained = klassifikator_train(mandant=post.w.a)  # what the queued task runs
    assert retrained is not None and retrained.version == 2
    found = speicher.current(post.w.a.pk)
    assert found is not None and found[0] == retrained


def test_an_archive_we_did_not_sign_is_never_read(
    post: Post, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    trained = _train(post)
    Klassifikator.objects.filter(pk=trained.pk).update(signatur="0" * 64)
    with django_capture_on_commit_callbacks(execute=True):
        assert speicher.current(post.w.a.pk) is None
    assert Klassifikator.objects.get(pk=trained.pk).verworfen


def test_an_archive_with_a_pickled_object_is_refused_even_when_signed() -> None:
    out = io.BytesIO()
    np.savez(out, format=np.array(1), idf=np.array([{"evil": "object"}], dtype=object))
    with pytest.raises(modell.ModellFehler):
        modell.load(out.getvalue())
    with pytest.raises(modell.ModellFehler):
        modell.load(b"PK\x03\x04 not a zip at all")
    wrong = io.BytesIO()
    np.savez(wrong, format=np.array(1), idf=np.zeros(3, dtype=np.float32))
    with pytest.raises(modell.ModellFehler):
        modell.load(wrong.getvalue())


def test_the_commands_train_and_evaluate(post: Post) -> None:
    plan = aktenplan(post)
    filed_corpus(post, plan, letters_per_akte=4)
    out = io.StringIO()
    call_command("posteingang", "train", "--mandant", post.w.a.slug, stdout=out)
    assert "model v1 trained on 40 documents" in out.getvalue()
    out = io.StringIO()
    call_command(
        "posteingang",
        "klassifikation",
        "evaluate",
        "--mandant",
        post.w.a.slug,
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["corpus"] == "generated" and report["own_examples"] == 40
    assert report["test"] + report["train"] == report["examples"]
    position = report["targets"]["position"]
    assert position["classes"] == 5 and 0.5 < position["model_top1"] <= 1.0
    assert position["rules"]["coverage"] > 0  # a share of the letters cites its Aktenzeichen
    out = io.StringIO()
    call_command(
        "posteingang", "klassifikation", "evaluate", "--mandant", post.w.a.slug, stdout=out
    )
    assert "model top-1" in out.getvalue() and "rules+model" in out.getvalue()


def test_the_daily_job_trains_after_new_decisions_only(post: Post, english: None) -> None:
    from amtsfluss.core.permissions import Principal
    from amtsfluss.posteingang.services.klassifikation import mandanten_to_train
    from amtsfluss.posteingang.services.vorschlag import check_vorschlag_correct
    from amtsfluss.posteingang.tasks import train_klassifikator

    plan = aktenplan(post)
    akten = filed_corpus(post, plan, letters_per_akte=4)
    w = post.w
    assert mandanten_to_train() == []  # nothing decided yet
    eingang = receive_letter(post, "Betreff: Marktstand auf dem Wochenmarkt")
    target = next(iter(akten.values()))
    check_vorschlag_correct(
        principal=Principal(user=w.clerk, mandant=w.a),
        eingang=eingang,
        aktenzeichen=target.aktenzeichen,
        dokumenttyp="antrag",
    )
    assert mandanten_to_train() == [w.a.pk]
    assert train_klassifikator.call(w.a.pk) == 1  # the task the job queues
    assert mandanten_to_train() == []  # the model is newer than every decision
    examples = korpus.filed_examples(mandant=w.a)
    assert len(examples) == 41 and any(e.akte == str(target.pk) for e in examples)
