"""A MILP from numpy arrays, solved on OR-Tools MathOpt (HiGHS or SCIP), with a hard deadline.

HiGHS does not look at its clock inside a root cut-separation round (a 9.6 s limit ran 22-27 s on
a 50-node day), and neither a MathOpt ``SolveInterrupter`` nor a ``cuts`` setting stops it. So a
solve with a ``deadline`` runs in a child process (``spawn``: the parent's numba and HiGHS thread
pools make ``fork`` unsafe) that is killed at the deadline. This module is what the child imports:
numpy and MathOpt only, no numba; the child starts in 0.25 s. As with any ``spawn``, the child
also imports the parent's main script: a script that solves must guard its top level with
``if __name__ == "__main__"``; its top-level imports add to the start (0.7 s: ``dom.allocation``).
"""

from __future__ import annotations

import contextlib
import datetime
import multiprocessing
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt

_OPT_TOL = 1e-6
# MIP solvers of the ``ortools`` wheel: HiGHS by default; SCIP proves optima that HiGHS cannot
# within a benchmark's hour (a 300-order day on 50 nodes: SCIP in 10 min, HiGHS not in 5)
MIP_SOLVERS = {"highs": mathopt.SolverType.HIGHS, "scip": mathopt.SolverType.GSCIP}
# Below this many variables a solve stays in process: the child's start (0.25 s) costs more than
# HiGHS overruns its limit on a model this small (0.02 s at 3,400 variables; 0.2-0.4 s at 16,000).
IN_PROCESS_VARS = 5_000


@dataclass(frozen=True)
class MilpSolution:
    """What the solver returned: values (None when no feasible point), objective and proven
    bound (-inf when none)."""

    values: np.ndarray | None
    objective: float
    bound: float
    proven: bool


NO_SOLUTION = MilpSolution(None, float("inf"), float("-inf"), False)


def build_model(
    cost: np.ndarray,
    upper: np.ndarray,
    integer: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    coefs: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    offset: float,
) -> mathopt.Model:
    """The model as a MathOpt ``ModelProto`` built straight from numpy (no Python object per
    variable); ``A`` in coordinate form, duplicates summed."""
    num_vars, num_rows = len(cost), len(row_lower)
    proto = model_pb2.ModelProto()
    var = proto.variables
    var.ids.extend(range(num_vars))
    var.lower_bounds.extend([0.0] * num_vars)
    var.upper_bounds.extend(np.asarray(upper, np.float64).tolist())
    var.integers.extend(np.asarray(integer, bool).tolist())
    proto.objective.offset = float(offset)
    nz = np.flatnonzero(cost)
    proto.objective.linear_coefficients.ids.extend(nz.tolist())
    proto.objective.linear_coefficients.values.extend(np.asarray(cost)[nz].tolist())
    con = proto.linear_constraints
    con.ids.extend(range(num_rows))
    con.lower_bounds.extend(np.asarray(row_lower, np.float64).tolist())
    con.upper_bounds.extend(np.asarray(row_upper, np.float64).tolist())
    key = np.asarray(rows, np.int64) * max(num_vars, 1) + np.asarray(cols, np.int64)
    uniq, inverse = np.unique(key, return_inverse=True)
    summed = np.bincount(inverse, weights=coefs, minlength=len(uniq))
    mat = proto.linear_constraint_matrix
    mat.row_ids.extend((uniq // max(num_vars, 1)).tolist())
    mat.column_ids.extend((uniq % max(num_vars, 1)).tolist())
    mat.coefficients.extend(summed.tolist())
    return mathopt.Model.from_model_proto(proto)


def solve_milp(
    cost: np.ndarray,
    upper: np.ndarray,
    integer: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    coefs: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    *,
    offset: float = 0.0,
    time_limit: float | None = None,
    hint: np.ndarray | None = None,
    solver: str = "highs",
    deadline: float | None = None,
) -> MilpSolution:
    """Minimise ``cost @ x + offset`` s.t. ``row_lower <= A x <= row_upper``, ``0 <= x <= upper``.

    ``A`` is given in coordinate form; duplicates are summed. Solved by ``solver`` (a key of
    :data:`MIP_SOLVERS`) through MathOpt with a relative gap tolerance of 1e-9, so ``proven``
    means optimal, not "within 0.01%". ``hint`` is a known feasible point the solver starts from.
    ``time_limit`` is the solver's own (soft) limit. ``deadline``, a :func:`time.perf_counter`
    instant, is a hard one: models of :data:`IN_PROCESS_VARS` variables or more are then solved in
    a child process, and if it has not answered by then (or died) the answer is
    :data:`NO_SOLUTION`.
    """
    if solver not in MIP_SOLVERS:
        raise ValueError(f"unknown MIP solver {solver!r}; choose one of {', '.join(MIP_SOLVERS)}")
    problem: dict[str, Any] = dict(
        cost=cost, upper=upper, integer=integer, rows=rows, cols=cols, coefs=coefs,
        row_lower=row_lower, row_upper=row_upper, offset=offset, time_limit=time_limit,
        hint=hint, solver=solver,
    )  # fmt: skip
    if deadline is None or len(cost) < IN_PROCESS_VARS:
        return _solve(**problem)
    return _solve_in_child(problem, deadline)


def _solve(
    cost: np.ndarray,
    upper: np.ndarray,
    integer: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    coefs: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    offset: float,
    time_limit: float | None,
    hint: np.ndarray | None,
    solver: str,
) -> MilpSolution:
    """:func:`solve_milp` in this process."""
    num_vars = len(cost)
    model = build_model(cost, upper, integer, rows, cols, coefs, row_lower, row_upper, offset)
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


def _solve_in_child(problem: dict[str, Any], deadline: float) -> MilpSolution:
    """:func:`_solve` in a spawned child, killed (and reaped) at ``deadline`` if still running.

    The problem is written by a thread, so a child slow to start cannot hold the parent past the
    deadline. A Python exception in the child is raised here; a crash or the deadline gives
    :data:`NO_SOLUTION`.
    """
    ctx = multiprocessing.get_context("spawn")
    problem_out, problem_in = ctx.Pipe(duplex=False)
    answer_out, answer_in = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(problem_out, answer_in), daemon=True)
    child.start()
    problem_out.close()
    answer_in.close()
    writer = threading.Thread(target=_send, args=(problem_in, problem), daemon=True)
    writer.start()
    try:
        if not answer_out.poll(max(deadline - time.perf_counter(), 0.0)):
            return NO_SOLUTION
        answer = answer_out.recv()
    except (EOFError, OSError):  # the child died before answering
        return NO_SOLUTION
    finally:
        child.kill()
        child.join()
        writer.join()
        child.close()
        problem_in.close()
        answer_out.close()
    if isinstance(answer, BaseException):
        raise answer
    assert isinstance(answer, MilpSolution)
    return answer


def _send(conn: Connection, problem: dict[str, Any]) -> None:
    """Write the problem to the child; a child killed meanwhile is no error."""
    with contextlib.suppress(OSError):
        conn.send(problem)


def _child(problem_out: Connection, answer_in: Connection) -> None:
    """The child process: read one problem, solve it, send back the solution (or the error)."""
    answer: MilpSolution | BaseException
    try:
        answer = _solve(**problem_out.recv())
    except Exception as exc:
        answer = exc
    answer_in.send(answer)
