"""100,000 fuzzed inputs (``fuzz_inputs.py``): JSON orders, order files, bundle files and request
bodies; nothing but the project's own input errors comes out, and the service never answers 5xx."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FUZZER = Path(__file__).with_name("fuzz_inputs.py")
# inputs per target: 100,000 in all, the cheap JSON parser most (a bundle load reads 8 files)
RUNS = {"json": 78_000, "csv": 17_000, "bundle": 3_000, "http": 2_000}


@pytest.mark.slow
def test_fuzzed_inputs_raise_only_input_errors(tmp_path: Path) -> None:
    """Every target runs its inputs to the end (libFuzzer stops at the first crash)."""
    env = {**os.environ, "PYTHONPATH": str(FUZZER.parents[2])}
    procs = {
        name: subprocess.Popen(
            [
                sys.executable,
                str(FUZZER),
                name,
                f"-runs={runs}",
                "-seed=1",
                f"-artifact_prefix={tmp_path}/",
                "-print_final_stats=1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            env=env,
            text=True,
        )
        for name, runs in RUNS.items()
    }
    for name, proc in procs.items():
        out, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, f"{name}:\n{out[-4000:]}"
        assert f"Done {RUNS[name]} runs" in out, f"{name}:\n{out[-2000:]}"
    assert sum(RUNS.values()) == 100_000
