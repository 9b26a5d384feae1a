"""100,000 fuzzed inputs (``fuzz_inputs.py``): JSON orders, order files, bundle files and request
bodies; nothing but the project's own input errors comes out, and the service never answers 5xx."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FUZZER = Path(__file__).with_name("fuzz_inputs.py")
# (target, inputs, seed): 100,000 in all, the cheap JSON parser most (a bundle load reads 8
# files), in four processes of about equal length for the two cores
RUNS = [("json", 45_000, 1), ("json", 45_000, 2), ("csv", 8_000, 1), ("bundle", 1_000, 1),
        ("http", 1_000, 1)]  # fmt: skip


@pytest.mark.slow
def test_fuzzed_inputs_raise_only_input_errors(tmp_path: Path) -> None:
    """Every target runs its inputs to the end (libFuzzer stops at the first crash)."""
    env = {**os.environ, "PYTHONPATH": str(FUZZER.parents[2])}
    procs = [
        (name, runs, subprocess.Popen(
            [sys.executable, str(FUZZER), name, f"-runs={runs}", f"-seed={seed}",
             f"-artifact_prefix={tmp_path}/", "-print_final_stats=1"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path, env=env, text=True,
        ))
        for name, runs, seed in RUNS
    ]  # fmt: skip
    for name, runs, proc in procs:
        out = proc.communicate(timeout=900)[0]
        assert proc.returncode == 0, f"{name}:\n{out[-4000:]}"
        assert f"Done {runs} runs" in out, f"{name}:\n{out[-2000:]}"
    assert sum(runs for _, runs, _ in RUNS) == 100_000
