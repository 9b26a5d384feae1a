"""MILP solves with a hard deadline: the child process answers as the solver in process would, is
killed (and reaped) at the deadline, and a killed or dead child gives no plan and no bound."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from dom.costs import build_instance
from solvers import milp, mip
from solvers.plans import plan_costs
from solvers.result import Status
from tests.factories import random_network, random_orders
from tests.solvers.brute import best_batch, check_assign

TOL = 1e-6
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@pytest.fixture(autouse=True)
def every_model_in_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send even the small models of these tests through the child process."""
    monkeypatch.setattr(milp, "IN_PROCESS_VARS", 0)


def _market_split(rows: int = 6, cols: int = 50, seed: int = 0) -> milp.Milp:
    """A market-split MILP (Cornuéjols and Dawande 1999): ``A x = floor(A 1 / 2)``, x binary,
    ``A`` random in [0, 99]; built to defeat branch and bound, it runs far past any deadline
    here."""
    a = np.random.default_rng(seed).integers(0, 100, (rows, cols)).astype(float)
    half = np.floor(a.sum(axis=1) / 2)
    r, c = np.nonzero(np.ones_like(a))
    return milp.Milp(
        cost=np.zeros(cols),
        upper=np.ones(cols),
        integer=np.ones(cols, bool),
        rows=r,
        cols=c,
        coefs=a[r, c],
        row_lower=half,
        row_upper=half,
    )


def _assert_no_solution(solution: milp.MilpSolution) -> None:
    assert solution.values is None
    assert solution.objective == np.inf and solution.bound == -np.inf
    assert not solution.proven


def _spawned_children() -> list[tuple[int, str]]:
    """This process's children that are solves (``python -m solvers.milp``) or zombies: (pid,
    state)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(ppid) == os.getpid() and (b"solvers.milp" in cmdline or state == "Z"):
            found.append((int(stat.parent.name), state))
    return found


def test_a_solve_past_its_deadline_gives_no_solution_and_leaves_no_process() -> None:
    """A MILP that cannot finish, with no solver limit and a deadline one second away, comes back
    with no point, objective inf and bound -inf (nothing proven), and its child is reaped."""
    solution = milp.solve_milp(_market_split(), deadline=time.perf_counter() + 1.0)
    _assert_no_solution(solution)
    assert _spawned_children() == []


def test_a_child_that_dies_gives_no_solution() -> None:
    """A child killed from outside (as by the OOM killer) is seen as gone: no solution, no hang
    until the deadline, no zombie."""
    done = threading.Event()

    def kill_the_child() -> None:
        while not done.is_set():
            for pid, _ in _spawned_children():
                os.kill(pid, signal.SIGKILL)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_the_child)
    killer.start()
    try:
        solution = milp.solve_milp(_market_split(), deadline=time.perf_counter() + 600.0)
    finally:
        done.set()
        killer.join()
    _assert_no_solution(solution)
    assert _spawned_children() == []


def test_an_error_in_the_child_is_raised_in_the_caller() -> None:
    """A Python error in the child (here a hint of the wrong length) is not swallowed."""
    with pytest.raises(ValueError, match="zip"):
        milp.solve_milp(_market_split(), hint=np.zeros(3), deadline=time.perf_counter() + 600)
    assert _spawned_children() == []


@pytest.mark.parametrize(("seed", "solver"), [(1, "highs"), (2, "highs"), (3, "scip")])
def test_the_exact_model_through_the_child_proves_the_brute_force_optimum(
    seed: int, solver: str
) -> None:
    """The exact model solved in a child (HiGHS or SCIP) proves the optimum that enumerating every
    plan finds, as it does in process, and its plan obeys every rule."""
    rng = np.random.default_rng(seed)
    network = random_network(rng, num_nodes=3, num_skus=5, stock_high=2, capacity_high=6)
    inst = build_instance(network, random_orders(rng, network, num_orders=5, max_lines=3))
    child = mip.solve_exact(inst, time_limit=30, solver=solver, deadline=time.perf_counter() + 600)
    here = mip.solve_exact(inst, time_limit=30, solver=solver)
    assert child.status is here.status is Status.OPTIMAL
    assert child.objective == pytest.approx(best_batch(inst, network.enabled), rel=TOL, abs=TOL)
    assert child.objective == pytest.approx(here.objective, rel=TOL, abs=TOL)
    assert child.bound == pytest.approx(here.bound, rel=TOL, abs=TOL)
    assert check_assign(inst, child.assign, network.enabled).violations == []
    assert _spawned_children() == []


def test_an_exact_solve_cut_at_its_deadline_adds_no_plan_and_no_bound() -> None:
    """Past its deadline the exact model's result is no plan: every line unfilled, objective that
    plan's cost (recomputable from the plan) and no bound, so the default method keeps the
    decomposition's plan and bound."""
    rng = np.random.default_rng(4)
    network = random_network(rng, num_nodes=3, num_skus=5)
    inst = build_instance(network, random_orders(rng, network, num_orders=5, max_lines=3))
    cut = mip.solve_exact(inst, time_limit=30, deadline=time.perf_counter())
    assert cut.status is Status.LIMIT_REACHED
    assert (cut.assign == -1).all()
    assert cut.objective == pytest.approx(float(plan_costs(inst, cut.assign).sum()), rel=TOL)
    assert np.isfinite(cut.objective) and cut.bound is None
    assert _spawned_children() == []


def test_a_script_without_a_main_guard_solves_through_the_child(tmp_path: Path) -> None:
    """A script that solves at its top level, with no ``if __name__ == "__main__"`` guard, gets
    the child's answer, and its top level runs once: the child does not import it."""
    marker = tmp_path / "runs.txt"
    script = tmp_path / "analysis.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import time
            import numpy as np
            from solvers import milp

            with open({str(marker)!r}, "a") as runs:
                runs.write("ran\\n")
            n = milp.IN_PROCESS_VARS  # the smallest model that goes to the child
            value = np.arange(n) % 7 + 1.0
            knapsack = milp.Milp(
                cost=-value, upper=np.ones(n), integer=np.ones(n, bool),
                rows=np.zeros(n, np.int64), cols=np.arange(n), coefs=np.ones(n),
                row_lower=np.zeros(1), row_upper=np.array([10.0]),
            )
            solution = milp.solve_milp(knapsack, deadline=time.perf_counter() + 120)
            print(solution.objective, solution.proven)
            """
        )
    )
    root = Path(milp.__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    objective, proven = done.stdout.split()
    assert float(objective) == pytest.approx(-70.0) and proven == "True"  # ten items of value 7
    assert marker.read_text() == "ran\n"


def test_the_child_process_imports_no_numba() -> None:
    """``python -m solvers.milp`` imports the ``solvers`` package first: the package loads its
    names lazily, so the child starts with numpy and MathOpt alone."""
    code = "import sys, solvers.milp; print('numba' in sys.modules, 'solvers.batch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
