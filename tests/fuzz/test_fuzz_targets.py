"""Every fuzz target in ``fuzz/`` runs briefly in the suite (fixed seed, bounded runs).

A crash — an exception the parser may not raise, or a broken invariant — fails the test with
the reproducer's path; ``fuzz/README.md`` says how to replay it and turn it into a regression
test. Longer runs are a command, not part of the suite.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("fuzz")  # one worker runs them, one after the other

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"
#: runs per target: a few seconds each on the shared 2-core machines
RUNS = {
    "prolog": 3000,
    "prepare_document": 3000,
    "parse_invoice": 3000,
    "skonto": 3000,
    "mail": 1500,
    "aktenplan": 3000,
    "pdf_extract": 500,
}
_ARTIFACT = re.compile(r"Test unit written to (\S+)")


def test_every_target_is_run() -> None:
    targets = {path.stem.removeprefix("fuzz_") for path in FUZZ.glob("fuzz_*.py")}
    assert targets - {"support"} == set(RUNS)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_fuzz_target_finds_no_crash(name: str, tmp_path: Path) -> None:
    corpus, crashes = tmp_path / "corpus", tmp_path / "crashes"
    crashes.mkdir()
    command = [
        sys.executable,
        str(FUZZ / f"fuzz_{name}.py"),
        f"-runs={RUNS[name]}",
        "-seed=1",
        "-timeout=60",
        "-rss_limit_mb=2048",
        f"-artifact_prefix={crashes}/",
        "-print_final_stats=1",
        str(corpus),
    ]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=600)
    found = _ARTIFACT.search(done.stderr)
    reproducer = found.group(1) if found else "none written"
    tail = "\n".join(done.stderr.splitlines()[-40:])
    assert done.returncode == 0, (
        f"fuzz_{name}.py exited with {done.returncode}; reproducer: {reproducer}\n"
        f"replay: {sys.executable} {FUZZ / f'fuzz_{name}.py'} {reproducer}\n{tail}"
    )
    assert f"Done {RUNS[name]} runs" in done.stderr, tail
