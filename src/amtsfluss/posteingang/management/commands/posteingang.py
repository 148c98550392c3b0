"""``amtsfluss posteingang train|klassifikation``: the classification of received post.

``train --mandant SLUG`` trains a new model on the Mandant's filed documents (the periodic job
``posteingang.training`` does the same daily after new decisions);
``klassifikation evaluate --mandant SLUG [--json]`` reports the accuracy on a held-out split.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amtsfluss.core.command_input import mandant_by_slug
from amtsfluss.posteingang.klassifikation.evaluation import evaluate
from amtsfluss.posteingang.services.klassifikation import (
    MIN_TRAINING_EXAMPLES,
    klassifikator_train,
)


class Command(BaseCommand):
    help = "Train and evaluate the classification of received post."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train a new model on the filed documents")
        train.add_argument("--mandant", required=True, help="short name (slug) of the Mandant")
        klass = sub.add_parser("klassifikation", help="classification: evaluate")
        klass_sub = klass.add_subparsers(dest="klassifikation_action", required=True)
        ev = klass_sub.add_parser("evaluate", help="accuracy on a held-out split")
        ev.add_argument("--mandant", required=True, help="short name (slug) of the Mandant")
        ev.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        mandant = mandant_by_slug(options["mandant"])
        if options["action"] == "train":
            trained = klassifikator_train(mandant=mandant)
            if trained is None:
                raise CommandError(
                    f"{mandant.slug}: fewer than {MIN_TRAINING_EXAMPLES} filed documents with "
                    "text (or one class per target); no model trained"
                )
            self.stdout.write(
                f"{mandant.slug}: model v{trained.version} trained on {trained.beispiele} "
                f"documents ({', '.join(sorted(trained.kennzahlen))})"
            )
            return
        report = evaluate(mandant=mandant)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self._table(report)

    def _table(self, report: dict[str, Any]) -> None:
        self.stdout.write(
            f"{report['mandant']}: {report['corpus']} corpus, {report['examples']} examples "
            f"({report['train']} train / {report['test']} held out, seed {report['seed']}), "
            f"threshold {report['threshold']}"
        )
        self.stdout.write(
            f"{'target':<12}{'classes':>8}{'model top-1':>13}{'model ≥ thr':>16}"
            f"{'rules':>16}{'rules+model':>16}"
        )

        def cell(value: dict[str, Any] | None) -> str:
            if value is None:
                return "—"
            return f"{value['accuracy']:.3f} @ {value['coverage']:.0%}"

        for name, row in report["targets"].items():
            self.stdout.write(
                f"{name:<12}{row['classes']:>8}{row['model_top1']:>13.3f}"
                f"{cell(row['model_above_threshold']):>16}{cell(row['rules']):>16}"
                f"{cell(row['rules_then_model']):>16}"
            )
        self.stdout.write("cells: accuracy @ coverage (share of held-out documents answered)")
