"""The Schematron step of a large document, split between this process and its partner (see
``partner.py`` for why and how; ``patterns.py`` for why the result is exactly the same)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.rechnung.validation import patterns, saxon
from amtsfluss.rechnung.validation.hardening import hardened_parser
from amtsfluss.rechnung.validation.partner import Estimates, Job, Partner, compile_parts

logger = logging.getLogger(__name__)


def svrl_of(output: str) -> etree._Element:
    return etree.fromstring(output.encode("utf-8"), hardened_parser())


def run_whole(path: Path, node: Any) -> etree._Element:
    """One Schematron stylesheet over the (Saxon-parsed) document, here, as one transform."""
    return svrl_of(saxon.stylesheet(path).transform_to_string(xdm_node=node))


class SplitSchematron:
    """The per-pattern parts of a rule pack's Schematron stylesheets and the partner process
    that runs some of them. Everything is prepared on the first large document."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)
        self.partner = Partner(self.paths)
        self.estimates = Estimates()
        self._parts: dict[Job, Any] | None = None
        #: documents whose jobs the partner shared (for tests and benchmarks)
        self.shared = 0
        self._indexes: dict[str, list[int]] = {}

    def _prepare(self) -> dict[Job, Any]:
        if self._parts is None:
            started = time.perf_counter()
            self._parts = compile_parts(self.paths)
            for path, index in self._parts:
                self._indexes.setdefault(path, []).append(index)
            logger.info(
                "e-invoice Schematron cut into %d parts in %.1f s",
                len(self._parts),
                time.perf_counter() - started,
            )
        return self._parts

    def run(self, paths: Sequence[Path], node: Any, text: str) -> list[etree._Element]:
        """The SVRL of each stylesheet of ``paths`` over the document. Call with saxon.LOCK."""
        parts = self._prepare()
        self.partner.start()
        jobs = [(str(path), index) for path in paths for index in self._indexes.get(str(path), ())]
        kib = max(len(text) / 1024, 1.0)
        here: list[Job] = list(jobs)
        there: list[Job] = []
        if self.partner.ready and self.estimates.known(jobs):
            here, there = self.estimates.assign(jobs)
        if there and not self._send(text, there):
            here, there = jobs, []
        self.shared += bool(there)
        outputs: dict[Job, str] = {}
        for job in here:
            started = time.perf_counter()
            outputs[job] = parts[job].transform_to_string(xdm_node=node)
            self.estimates.learn(job, (time.perf_counter() - started) * 1000, kib)
        wholes = {path: run_whole(path, node) for path in paths if str(path) not in self._indexes}
        if there:
            outputs.update(self._receive(there, parts, node, kib))
        return [
            wholes.get(path) or _joined(str(path), self._indexes[str(path)], outputs)
            for path in paths
        ]

    def _send(self, text: str, jobs: Sequence[Job]) -> bool:
        try:
            self.partner.send(text.encode("utf-8"), jobs)
        except OSError:
            logger.warning("e-invoice partner process is gone; validating here", exc_info=True)
            self.partner.stop()
            return False
        return True

    def _receive(
        self, jobs: Sequence[Job], parts: dict[Job, Any], node: Any, kib: float
    ) -> dict[Job, str]:
        try:
            outputs, times, parse_ms = self.partner.receive(jobs)
        except Exception:
            logger.warning("e-invoice partner process failed; validating here", exc_info=True)
            self.partner.stop()
            return {job: parts[job].transform_to_string(xdm_node=node) for job in jobs}
        for job, ms in times.items():
            self.estimates.learn(job, ms, kib)
        self.estimates.learn_parse(parse_ms, kib)
        return outputs


def _joined(path: str, indexes: list[int], outputs: dict[Job, str]) -> etree._Element:
    return patterns.join([(index, svrl_of(outputs[(path, index)])) for index in indexes])
