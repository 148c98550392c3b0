"""The trained model: hashed word and character n-grams of folded German text, TF-IDF
weighted, and one linear classifier (SGD, logistic loss) per target.

The file is a NumPy archive of plain arrays (read with ``allow_pickle=False``: nothing in it
can run code), signed with an HMAC under the installation's secret key. Prediction is a sparse
product computed here, so loading needs neither pickle nor the training classes; it costs well
under a millisecond per target for a letter.
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import HashingVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import SGDClassifier  # type: ignore[import-untyped]
from sklearn.preprocessing import normalize  # type: ignore[import-untyped]

from amtsfluss.core.folding import fold

#: the targets, each with a classifier of its own
TARGETS = ("position", "unit", "dokumenttyp", "akte")
FORMAT = 1
WORD_FEATURES = 2**14
CHAR_FEATURES = 2**14
FEATURES = WORD_FEATURES + CHAR_FEATURES
#: the model reads the start of a document (the letterhead, the subject, the first page)
MAX_CHARS = 5_000
#: classes per target at most (the most frequent are kept; an Akte model for the active Akten)
MAX_CLASSES = 200
MIN_EXAMPLES_PER_CLASS = 2
SEED = 4711

_WORDS = HashingVectorizer(
    analyzer="word",
    ngram_range=(1, 2),
    n_features=WORD_FEATURES,
    alternate_sign=False,
    norm=None,
    lowercase=False,
    dtype=np.float32,
)
_CHARS = HashingVectorizer(
    analyzer="char_wb",
    ngram_range=(3, 4),
    n_features=CHAR_FEATURES,
    alternate_sign=False,
    norm=None,
    lowercase=False,
    dtype=np.float32,
)


class ModellFehler(Exception):
    """The archive is not a model this code wrote."""


def prepare(text: str) -> str:
    """The part of a text the model reads: its start, folded (ä→a, ß→ss) and lower case, and
    without characters that are no text (binary garbage)."""
    head = text[:MAX_CHARS]
    return fold(head).lower().translate(_CONTROL)


_CONTROL = {code: " " for code in range(32)}


def counts(texts: Sequence[str]) -> sparse.csr_matrix:
    prepared = [prepare(t) for t in texts]
    return sparse.hstack([_WORDS.transform(prepared), _CHARS.transform(prepared)], format="csr")


def weigh(raw: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sub-linear term frequency × inverse document frequency, rows of unit length."""
    out = raw.copy()
    out.data = (1.0 + np.log(out.data)).astype(np.float32)
    out = out.multiply(idf).tocsr()
    weighted: sparse.csr_matrix = normalize(out, norm="l2", copy=False)
    return weighted


def idf_of(raw: sparse.csr_matrix) -> np.ndarray:
    df = np.bincount(raw.indices, minlength=raw.shape[1])
    n = int(raw.shape[0])
    idf: np.ndarray = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    return idf


@dataclass(frozen=True)
class Ziel:
    """One target's classifier: classes, weights (classes × features), intercepts."""

    classes: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    #: the weights feature by feature (features × classes), for gathering a document's rows
    by_feature: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_feature", np.ascontiguousarray(self.coef.T))

    def probabilities(self, x: sparse.csr_matrix) -> np.ndarray:
        """As scikit-learn's SGD with logistic loss: one-vs-rest sigmoids, normalised. The
        scores gather only the rows of the document's features (a letter has ~1,000)."""
        row = x.getrow(0)
        scores = row.data @ self.by_feature[row.indices] + self.intercept
        if len(self.classes) == 2:
            p = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - p, p])
        p = 1.0 / (1.0 + np.exp(-scores))
        total = p.sum()
        return p / total if total > 0 else np.full(len(p), 1.0 / len(p))


@dataclass(frozen=True)
class Vorhersage:
    label: str
    konfidenz: float


@dataclass(frozen=True)
class Modell:
    idf: np.ndarray
    ziele: dict[str, Ziel]

    def predict(self, text: str) -> dict[str, Vorhersage]:
        """The most probable class of every target, with its probability."""
        x = weigh(counts([text]), self.idf)
        out = {}
        for name, ziel in self.ziele.items():
            p = ziel.probabilities(x)
            best = int(np.argmax(p))
            out[name] = Vorhersage(label=str(ziel.classes[best]), konfidenz=float(p[best]))
        return out


def _usable(labels: Sequence[str]) -> set[str]:
    """The classes a target is trained on: frequent enough, the most frequent first."""
    found: dict[str, int] = {}
    for label in labels:
        if label:
            found[label] = found.get(label, 0) + 1
    ranked = sorted(
        (label for label, n in found.items() if n >= MIN_EXAMPLES_PER_CLASS),
        key=lambda label: (-found[label], label),
    )
    return set(ranked[:MAX_CLASSES])


def train(texts: Sequence[str], labels: Mapping[str, Sequence[str]]) -> Modell:
    """Train on ``texts`` with one label list per target ('' = unknown for that target).

    A target with fewer than two usable classes gets no classifier (nothing to choose)."""
    raw = counts(texts)
    idf = idf_of(raw)
    x = weigh(raw, idf)
    ziele = {}
    for name in TARGETS:
        target = labels.get(name)
        if target is None:
            continue
        usable = _usable(target)
        if len(usable) < 2:
            continue
        rows = [i for i, label in enumerate(target) if label in usable]
        y = np.array([target[i] for i in rows])
        clf = SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=50, tol=1e-4, random_state=SEED)
        clf.fit(x[rows], y)
        ziele[name] = Ziel(
            classes=np.array([str(c) for c in clf.classes_]),
            coef=clf.coef_.astype(np.float32),
            intercept=clf.intercept_.astype(np.float32),
        )
    return Modell(idf=idf, ziele=ziele)


def dump(modell: Modell) -> bytes:
    """The archive; every one differs (its creation time is in it), so a retraining on the
    same documents never collides with a damaged stored copy of an earlier one."""
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT),
        "created": np.array(time.time_ns()),
        "idf": modell.idf,
    }
    for name, ziel in modell.ziele.items():
        arrays[f"{name}.classes"] = ziel.classes
        arrays[f"{name}.coef"] = ziel.coef
        arrays[f"{name}.intercept"] = ziel.intercept
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)  # type: ignore[arg-type]
    return out.getvalue()


def load(data: bytes) -> Modell:
    """Read an archive written by :func:`dump`; :class:`ModellFehler` if it is anything else.
    The caller checked its signature first; this still refuses any object array (pickle)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except Exception as exc:  # a damaged zip or array header: not ours
        raise ModellFehler(f"unreadable model archive: {exc}") from exc
    if arrays.get("format") is None or int(arrays["format"]) != FORMAT:
        raise ModellFehler("unknown model format")
    idf = arrays["idf"]
    if idf.shape != (FEATURES,):
        raise ModellFehler("the model has the wrong number of features")
    ziele = {}
    for name in TARGETS:
        if f"{name}.classes" not in arrays:
            continue
        classes, coef = arrays[f"{name}.classes"], arrays[f"{name}.coef"]
        intercept = arrays[f"{name}.intercept"]
        rows = 1 if len(classes) == 2 else len(classes)
        if classes.dtype.kind != "U" or coef.shape != (rows, FEATURES) or len(intercept) != rows:
            raise ModellFehler(f"the {name} classifier is malformed")
        ziele[name] = Ziel(classes=classes, coef=coef.astype(np.float32), intercept=intercept)
    return Modell(idf=idf.astype(np.float32), ziele=ziele)
