"""A MILP from numpy arrays, solved on OR-Tools MathOpt (HiGHS or SCIP), with a hard deadline.

HiGHS does not look at its clock inside a root cut-separation round (it ran far past its limit on
50-node days: docs/allocation.md, The exact MIP polish), and neither a MathOpt
``SolveInterrupter`` nor a ``cuts`` setting stops it. So a solve with a ``deadline`` runs in a
child process that is killed at the deadline: a plain ``python -m solvers.milp`` (this module's
``__main__``), given the problem on stdin, answering on stdout. Not ``multiprocessing``: ``fork``
is unsafe under the parent's numba and HiGHS thread pools, and ``spawn`` re-imports the parent's
main script in the child, so a script without an ``if __name__ == "__main__"`` guard would rerun
its whole top level there (loading data, solving again) before the child failed and the solve was
lost; its top-level imports would also add to every start. The child imports numpy and MathOpt
only, no numba, so a round trip on a trivial model takes a fraction of a second, whatever the
caller imported.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import pickle
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt

_OPT_TOL = 1e-6
# MIP solvers of the ``ortools`` wheel: HiGHS by default; SCIP proves optima that HiGHS cannot
# within a benchmark's hour (docs/allocation.md, The exact MIP polish)
MIP_SOLVERS = {"highs": mathopt.SolverType.HIGHS, "scip": mathopt.SolverType.GSCIP}
# Below this many variables a solve stays in process: the child's round trip (start and imports)
# costs more than HiGHS overruns its limit on a model this small (docs/allocation.md, The exact
# MIP polish).
IN_PROCESS_VARS = 5_000
# The folder holding the ``solvers`` package, put on the child's path: it imports this module
# even when the project is on the parent's ``sys.path`` only, not installed.
_ROOT = str(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True)
class MilpSolution:
    """What the solver returned: values (None when no feasible point), objective and proven
    bound (-inf when none)."""

    values: np.ndarray | None
    objective: float
    bound: float
    proven: bool


NO_SOLUTION = MilpSolution(None, float("inf"), float("-inf"), False)


@dataclass(frozen=True, eq=False)
class Milp:
    """``min cost @ x + offset`` s.t. ``row_lower <= A x <= row_upper``, ``0 <= x <= upper``, ``x``
    integer where ``integer``; ``A`` in coordinate form (``rows``, ``cols``, ``coefs``),
    duplicates summed. Plain arrays: it pickles cheaply to the child process."""

    cost: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    coefs: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    offset: float = 0.0


def build_model(problem: Milp) -> mathopt.Model:
    """The model as a MathOpt model (from :func:`model_proto`)."""
    return mathopt.Model.from_model_proto(model_proto(problem))


def model_proto(problem: Milp) -> model_pb2.ModelProto:
    """The model as a MathOpt ``ModelProto`` built straight from numpy (no Python object per
    variable)."""
    cost, rows, cols, coefs = problem.cost, problem.rows, problem.cols, problem.coefs
    num_vars, num_rows = len(cost), len(problem.row_lower)
    proto = model_pb2.ModelProto()
    var = proto.variables
    var.ids.extend(range(num_vars))
    var.lower_bounds.extend([0.0] * num_vars)
    var.upper_bounds.extend(np.asarray(problem.upper, np.float64).tolist())
    var.integers.extend(np.asarray(problem.integer, bool).tolist())
    proto.objective.offset = float(problem.offset)
    nz = np.flatnonzero(cost)
    proto.objective.linear_coefficients.ids.extend(nz.tolist())
    proto.objective.linear_coefficients.values.extend(np.asarray(cost)[nz].tolist())
    con = proto.linear_constraints
    con.ids.extend(range(num_rows))
    con.lower_bounds.extend(np.asarray(problem.row_lower, np.float64).tolist())
    con.upper_bounds.extend(np.asarray(problem.row_upper, np.float64).tolist())
    key = np.asarray(rows, np.int64) * max(num_vars, 1) + np.asarray(cols, np.int64)
    uniq, inverse = np.unique(key, return_inverse=True)
    summed = np.bincount(inverse, weights=coefs, minlength=len(uniq))
    mat = proto.linear_constraint_matrix
    mat.row_ids.extend((uniq // max(num_vars, 1)).tolist())
    mat.column_ids.extend((uniq % max(num_vars, 1)).tolist())
    mat.coefficients.extend(summed.tolist())
    return proto


def solve_milp(
    problem: Milp,
    *,
    time_limit: float | None = None,
    hint: np.ndarray | None = None,
    solver: str = "highs",
    deadline: float | None = None,
) -> MilpSolution:
    """Solve ``problem`` with ``solver`` (a key of :data:`MIP_SOLVERS`) through MathOpt.

    The relative gap tolerance is 1e-9, so ``proven`` means optimal, not "within 0.01%". ``hint``
    is a known feasible point the solver starts from. ``time_limit`` is the solver's own (soft)
    limit. ``deadline``, a :func:`time.perf_counter`
    instant, is a hard one: models of :data:`IN_PROCESS_VARS` variables or more are then solved in
    a child process, and if it has not answered by then (or died) the answer is
    :data:`NO_SOLUTION`.
    """
    if solver not in MIP_SOLVERS:
        raise ValueError(f"unknown MIP solver {solver!r}; choose one of {', '.join(MIP_SOLVERS)}")
    options: dict[str, Any] = dict(time_limit=time_limit, hint=hint, solver=solver)
    if deadline is None or len(problem.cost) < IN_PROCESS_VARS:
        return _solve(problem, **options)
    return _solve_in_child(problem, options, deadline)


def _solve(
    problem: Milp, time_limit: float | None, hint: np.ndarray | None, solver: str
) -> MilpSolution:
    """:func:`solve_milp` in this process."""
    num_vars = len(problem.cost)
    model = build_model(problem)
    params = mathopt.SolveParameters(relative_gap_tolerance=1e-9, absolute_gap_tolerance=1e-7)
    if time_limit is not None:
        params.time_limit = datetime.timedelta(seconds=max(time_limit, 0.01))
    model_params = None
    if hint is not None:
        variables = list(model.variables())
        values = dict(zip(variables, np.asarray(hint, np.float64).tolist(), strict=True))
        model_params = mathopt.ModelSolveParameters(
            solution_hints=[mathopt.SolutionHint(variable_values=values)]
        )
    result = mathopt.solve(model, MIP_SOLVERS[solver], params=params, model_params=model_params)
    bounds = result.termination.objective_bounds
    bound = float(bounds.dual_bound)
    if not result.has_primal_feasible_solution():
        return MilpSolution(None, float("inf"), bound, False)
    values = result.variable_values()
    x = np.array([values[v] for v in model.variables()]) if num_vars else np.zeros(0)
    objective = float(result.objective_value())
    proven = result.termination.reason == mathopt.TerminationReason.OPTIMAL and (
        objective - bound <= _OPT_TOL * max(1.0, abs(objective))
    )
    return MilpSolution(x, objective, bound, proven)


def _solve_in_child(problem: Milp, options: dict[str, Any], deadline: float) -> MilpSolution:
    """:func:`_solve` in a child ``python -m solvers.milp``, killed (and reaped) at ``deadline``
    if it has not answered by then.

    One thread writes the problem to the child's stdin and reads the answer from its stdout, so
    neither a child slow to start nor one slow to solve holds the parent past the deadline. A
    Python exception in the child is raised here; a crash, a kill or the deadline gives
    :data:`NO_SOLUTION`.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
    # -P: the caller's working directory is not put first on the child's path (a folder there
    # named like a package the child imports would shadow it)
    child = subprocess.Popen(
        [sys.executable, "-P", "-m", "solvers.milp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert child.stdin is not None and child.stdout is not None
    received: list[Any] = []  # the answer, or an unexpected error of the thread
    talk = threading.Thread(
        target=_talk,
        args=(child.stdin, child.stdout, (vars(problem), options), received),
        daemon=True,
    )
    talk.start()
    try:
        talk.join(max(deadline - time.perf_counter(), 0.0))
    finally:
        child.kill()  # no-op on a child that has exited
        child.wait()
        talk.join()  # the kill ends its write (broken pipe) and its read (end of file)
        with contextlib.suppress(OSError):  # flushing what a dead child never read
            child.stdin.close()
        child.stdout.close()
    if not received:
        return NO_SOLUTION  # the deadline, or the child died
    answer = received[0]
    if isinstance(answer, BaseException):  # the child's error, or an unexpected one of the thread
        raise answer
    values, objective, bound, proven = answer
    return MilpSolution(values, objective, bound, proven)


def _talk(
    stdin: IO[bytes], stdout: IO[bytes], request: tuple[Any, ...], received: list[Any]
) -> None:
    """Write the request (the problem's fields and the options) to the child, then read its
    answer into ``received``; a child killed or dead meanwhile leaves ``received`` empty."""
    try:
        with contextlib.suppress(OSError):  # BrokenPipeError: the child is gone
            pickle.dump(request, stdin, protocol=5)
            stdin.close()
        with contextlib.suppress(EOFError, pickle.UnpicklingError):  # a dead child's stream
            received.append(pickle.load(stdout))
    except BaseException as exc:  # unexpected (a problem that does not pickle): the caller's
        received.append(exc)


def _serve() -> None:
    """The child: read one pickled request from stdin, solve it, write the pickled answer to
    stdout: ``(values, objective, bound, proven)``, or the Python error. Plain values both ways,
    not :class:`Milp` and :class:`MilpSolution`: run as ``__main__``, this module's classes pickle
    as ``__main__.X``, which the parent cannot load."""
    answer_fd = os.dup(1)
    os.dup2(2, 1)  # whatever a solver library prints goes to stderr, not into the answer
    answer: tuple[Any, ...] | BaseException
    try:
        fields, options = pickle.load(sys.stdin.buffer)
        s = _solve(Milp(**fields), **options)
        answer = (s.values, s.objective, s.bound, s.proven)
    except Exception as exc:
        answer = exc
    try:
        data = pickle.dumps(answer, protocol=5)
    except Exception:  # an error that does not pickle: its text
        data = pickle.dumps(RuntimeError(f"{type(answer).__name__}: {answer}"), protocol=5)
    with os.fdopen(answer_fd, "wb") as out:
        out.write(data)


if __name__ == "__main__":
    _serve()
