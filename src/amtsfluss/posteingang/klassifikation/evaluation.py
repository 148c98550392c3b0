"""Accuracy on a held-out split: the rules, the model and both together, per target.

The examples are the Mandant's own filed documents when there are enough of them, otherwise a
generated corpus (:func:`korpus.generated_examples`, fixed seed) — the report says which. The
split is stratified by Akte with a fixed seed. The rules are the same text functions the
pipeline runs; their lookups use what the training part knows (the Aktenzeichen of each Akte,
the Akte each sender wrote to), as the database does in operation.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]

from amtsfluss.akte.services.aktenzeichen import pattern_of
from amtsfluss.core.models import Mandant
from amtsfluss.posteingang.klassifikation import korpus, modell, regeln
from amtsfluss.posteingang.services.klassifikation import SENDER_MIN, SENDER_SHARE, THRESHOLD

#: fewer filed documents than this: the generated corpus is used
MIN_OWN_EXAMPLES = 500
TEST_SHARE = 0.25


@dataclass(frozen=True)
class Zahl:
    """How often something fired (coverage) and how often it was right when it did."""

    fired: int
    right: int
    total: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "coverage": round(self.fired / self.total, 3) if self.total else 0.0,
            "accuracy": round(self.right / self.fired, 3) if self.fired else 0.0,
            "fired": self.fired,
        }


def _zahl(answered: list[tuple[str, str]], total: int) -> Zahl:
    """From (truth, answer) pairs of the answered documents."""
    return Zahl(len(answered), sum(1 for truth, answer in answered if truth == answer), total)


def _rule_akte(
    beispiel: korpus.Beispiel, pattern: str, akten: set[str], senders: dict[str, str]
) -> str:
    for found in regeln.find_aktenzeichen(beispiel.text, pattern):
        if found in akten:
            return found
    return senders.get(beispiel.absender, "")


def _senders(train: list[korpus.Beispiel]) -> dict[str, str]:
    """Sender → Akte, as the sender rule decides it from earlier post."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for b in train:
        if b.absender:
            seen[b.absender][b.akte] += 1
    out = {}
    for absender, counts in seen.items():
        akte, n = counts.most_common(1)[0]
        total = sum(counts.values())
        if total >= SENDER_MIN and n / total >= SENDER_SHARE:
            out[absender] = akte
    return out


def evaluate(*, mandant: Mandant, seed: int = korpus.SEED) -> dict[str, object]:
    own = korpus.filed_examples(mandant=mandant)
    source = "mandant"
    beispiele = own
    if len(own) < MIN_OWN_EXAMPLES:
        beispiele, source = korpus.generated_examples(mandant=mandant, seed=seed), "generated"
    counts = Counter(b.akte for b in beispiele)
    beispiele = [b for b in beispiele if counts[b.akte] >= 2]  # stratifiable
    train, test = train_test_split(
        beispiele,
        test_size=TEST_SHARE,
        random_state=seed,
        stratify=[b.akte for b in beispiele],
    )
    trained = modell.train([b.text for b in train], korpus.labels_of(train))
    pattern = pattern_of(mandant)
    of_akte = {b.akte: b for b in train}
    senders = _senders(train)
    predictions = [trained.predict(b.text) for b in test]
    rule_hits = [_rule_akte(b, pattern, set(of_akte), senders) for b in test]
    targets: dict[str, object] = {}
    for name in modell.TARGETS:
        if name not in trained.ziele:
            continue
        truth = [getattr(b, name) for b in test]
        guesses = [p[name] for p in predictions]
        model_top1 = sum(1 for t, g in zip(truth, guesses, strict=True) if g.label == t)
        pairs = zip(truth, guesses, strict=True)
        sure = [(t, g.label) for t, g in pairs if g.konfidenz >= THRESHOLD]
        model_sure = _zahl(sure, len(test))
        rules = combined = None
        if name != "dokumenttyp":
            by_rule = [getattr(of_akte[hit], name) if hit else "" for hit in rule_hits]
            rules = _zahl([(t, r) for t, r in zip(truth, by_rule, strict=True) if r], len(test))
            both = [
                (t, r or (g.label if g.konfidenz >= THRESHOLD else ""))
                for t, r, g in zip(truth, by_rule, guesses, strict=True)
            ]
            combined = _zahl([(t, v) for t, v in both if v], len(test))
        targets[name] = {
            "classes": len(trained.ziele[name].classes),
            "model_top1": round(model_top1 / len(test), 3),
            "model_above_threshold": model_sure.as_dict(),
            "rules": rules.as_dict() if rules else None,
            "rules_then_model": combined.as_dict() if combined else None,
        }
    return {
        "mandant": mandant.slug,
        "corpus": source,
        "own_examples": len(own),
        "examples": len(beispiele),
        "train": len(train),
        "test": len(test),
        "seed": seed,
        "threshold": THRESHOLD,
        "targets": targets,
    }
