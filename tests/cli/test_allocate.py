"""``dom allocate``, ``dom route`` and ``dom demo``: plans that pass the independent checker,
contract JSON, exit status 2 with a located message on bad input, nothing written on failure."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli import main
from dom.generate import GeneratorParams, generate
from tests.plancheck import check_plan

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"
SAMPLE = ROOT / "data" / "sample"
ORDER_LINES = [{"sku": "TEE", "qty": 2}, {"sku": "GIFT", "qty": 1}, {"sku": "LAMP", "qty": 1}]
ORDER_JSON = {
    "order_id": "R1",
    "lines": ORDER_LINES,
    "destination": {"zip": "10001"},
    "promised_days": 2,
    "ship_complete": False,
    "channel": "web",
}


def _dom(monkeypatch: pytest.MonkeyPatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run the real ``dom`` entry point in-process: (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["dom", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out = capsys.readouterr()
    return int(exit_info.value.code or 0), out.out, out.err


def _dom_process(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``dom`` console script in a child process (the one installed beside this
    interpreter, so an unactivated venv is found too)."""
    exe = shutil.which("dom", path=str(Path(sys.executable).parent)) or shutil.which("dom")
    assert exe is not None, "the dom console script is not installed (pip install -e .)"
    return subprocess.run(
        [exe, *args], capture_output=True, text=True, timeout=300, cwd=ROOT, check=False
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated scarce day: 5 nodes, 120 SKUs, 300 orders."""
    out = tmp_path_factory.mktemp("generated")
    generate(out, GeneratorParams(5, 120, 300, seed=5, stock_cover=0.85, capacity_cover=1.0))
    return out


def test_allocate_tiny_plan_passes_the_checker(tmp_path: Path) -> None:
    """The console script allocates the tiny bundle; the plan's files recompute to its summary."""
    out = tmp_path / "plan"
    run = _dom_process("allocate", str(TINY), str(TINY / "orders.csv"), "--out", str(out))
    assert run.returncode == 0, run.stderr
    printed = json.loads(run.stdout)
    assert printed == json.loads((out / "summary.json").read_text())
    report = check_plan(TINY, TINY / "orders.csv", out)
    assert report.total_cost == pytest.approx(printed["total_cost"])
    assert (report.orders, report.lines) == (5, 7)


@pytest.mark.parametrize(
    ("fmt", "method"),
    [("csv", "default"), ("parquet", "default"), ("csv", "greedy"), ("parquet", "exact")],
)
def test_allocate_generated_plan_passes_the_checker(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path, generated: Path, fmt: str, method: str
) -> None:
    """Plans of a generated day, as CSV or Parquet, pass the checker for each method."""
    out = tmp_path / "plan"
    orders = generated / "orders.csv"
    code, stdout, stderr = _dom(
        monkeypatch, capsys, "allocate", str(generated), str(orders), "--out", str(out),
        "--format", fmt, "--method", method, "--time-limit", "3", "--quiet",
    )  # fmt: skip
    assert code == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"lines.{fmt}", f"shipments.{fmt}", "summary.json"]
    )
    report = check_plan(generated, orders, out)
    summary = json.loads(stdout)
    assert report.orders == summary["orders"] == 300
    assert report.total_cost == pytest.approx(summary["total_cost"])
    if method == "default":  # the decomposition proves a bound from its first pass
        assert summary["lower_bound"] <= summary["total_cost"]
    elif method == "exact":
        # HiGHS returns a bound only if its solve ends by the deadline; one killed there (a slow
        # machine: 3 s is too short for this day on some) proves nothing and must say so
        if summary["lower_bound"] is None:
            assert summary["gap"] is None and summary["status"] == "limit_reached"
        else:
            assert summary["lower_bound"] <= summary["total_cost"]


def test_route_prints_the_contract_json(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path
) -> None:
    """``dom route`` prints the §4 single-order JSON, whose total the batch exact model matches."""
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(ORDER_JSON))
    run = _dom_process("route", str(TINY), str(order_file))
    assert run.returncode == 0, run.stderr
    plan = json.loads(run.stdout)
    assert set(plan) == {"order_id", "shipments", "unfilled", "total_cost"}
    assert plan["order_id"] == "R1"
    for shipment in plan["shipments"]:
        assert set(shipment) == {"fc_id", "service", "lines", "ship_cost", "eta_days"}
    routed = sorted(i for s in plan["shipments"] for i in s["lines"]) + plan["unfilled"]
    assert sorted(routed) == [0, 1, 2]
    # the same order as a one-order batch: the exact model proves the same cost
    rows = [
        {"order_id": "R1", "sku": line["sku"], "qty": line["qty"], "dest_zip": "10001",
         "promised_days": 2, "ship_complete": "false"}
        for line in ORDER_LINES
    ]  # fmt: skip
    orders_csv = tmp_path / "orders.csv"
    pd.DataFrame(rows).to_csv(orders_csv, index=False)
    code, stdout, stderr = _dom(
        monkeypatch, capsys, "allocate", str(TINY), str(orders_csv), "--out",
        str(tmp_path / "plan"), "--method", "exact", "--quiet",
    )  # fmt: skip
    assert code == 0, stderr
    assert json.loads(stdout)["total_cost"] == pytest.approx(plan["total_cost"])


def _edited_orders(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the tiny orders with one text edit (which must apply exactly once)."""
    text = (TINY / "orders.csv").read_text()
    assert text.count(old) == 1, old
    path = tmp_path / "orders.csv"
    path.write_text(text.replace(old, new))
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("order_id,sku,qty", "order_id,skuu,qty", ["orders.csv", "column 'sku'", "'skuu'"]),
        ("A1,MUG", "A1,MUGG", ["orders.csv", "row 2", "column 'sku'", "'MUGG'"]),
        ("D4,RUG,2", "D4,RUG,-2", ["orders.csv", "row 6", "column 'qty'", "'-2'"]),
        ("D4,RUG,2", "D4,RUG,2.5", ["orders.csv", "row 6", "column 'qty'", "'2.5'"]),
        ("30303", "00000", ["orders.csv", "row 7", "column 'dest_zip'", "'00000'"]),
    ],
)
def test_bad_orders_exit_2_and_write_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path, old: str, new: str, expected: list
) -> None:
    """A misspelt column, unknown SKU, negative or fractional qty or unknown ZIP: exit 2, one
    message naming file, row and column with a fix, and no --out folder."""
    orders = _edited_orders(tmp_path, old, new)
    out = tmp_path / "plan"
    code, stdout, stderr = _dom(
        monkeypatch, capsys, "allocate", str(TINY), str(orders), "--out", str(out), "--quiet"
    )
    assert code == 2
    assert stdout == ""
    assert all(part in stderr for part in expected), stderr
    assert "fix:" in stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--method", "best"], "unknown value 'best' for --method"),
        (["--time-limit", "0"], "--time-limit must be positive"),
        (["--time-limit", "-5"], "--time-limit must be positive"),
        (["--time-limit", "soon"], "--time-limit"),
        (["--format", "xlsx"], "unknown value 'xlsx' for --format"),
    ],
)
def test_bad_options_exit_2_and_keep_an_existing_plan(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path, args: list[str], expected: str
) -> None:
    """A bad --method, --time-limit or --format exits 2 naming the option; a plan already in
    --out is left exactly as it was."""
    out = tmp_path / "plan"
    out.mkdir()
    (out / "summary.json").write_text("{}")
    code, stdout, stderr = _dom(
        monkeypatch, capsys, "allocate", str(TINY), str(TINY / "orders.csv"),
        "--out", str(out), "--quiet", *args,
    )  # fmt: skip
    assert code == 2
    assert stdout == ""
    assert expected in stderr
    assert [p.name for p in out.iterdir()] == ["summary.json"]
    assert (out / "summary.json").read_text() == "{}"


def test_bad_input_from_the_console_script_exits_2(tmp_path: Path) -> None:
    """The installed script turns bad input into one stderr line and status 2, no traceback."""
    orders = _edited_orders(tmp_path, "A1,MUG", "A1,MUGG")
    out = tmp_path / "plan"
    run = _dom_process("allocate", str(TINY), str(orders), "--out", str(out), "--quiet")
    assert run.returncode == 2
    assert run.stderr.startswith("error: ") and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_bad_route_json_names_the_field(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path
) -> None:
    """An unknown SKU in the order JSON exits 2 naming the JSON field."""
    doc = json.loads(json.dumps(ORDER_JSON))
    doc["lines"][2]["sku"] = "LAMPP"
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(doc))
    code, stdout, stderr = _dom(monkeypatch, capsys, "route", str(TINY), str(order_file))
    assert code == 2
    assert stdout == ""
    assert "order.json" in stderr and "lines[2].sku" in stderr and "LAMPP" in stderr


def test_unfillable_orders_are_unfilled_not_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path
) -> None:
    """Orders no node can fill (too many units; ship-complete over two nodes' stock) are written
    as unfilled lines, the plan passes the checker and the status is 0."""
    text = (TINY / "orders.csv").read_text()
    text += "Z9,RUG,50,60601,5,false,web\nY8,LAMP,1,94103,5,true,web\nY8,MUG,10,94103,5,true,web\n"
    orders = tmp_path / "orders.csv"
    orders.write_text(text)
    out = tmp_path / "plan"
    code, stdout, stderr = _dom(
        monkeypatch, capsys, "allocate", str(TINY), str(orders), "--out", str(out), "--quiet",
        "--time-limit", "5",
    )  # fmt: skip
    assert code == 0, stderr
    report = check_plan(TINY, orders, out)
    lines = pd.read_csv(out / "lines.csv", dtype=str, keep_default_na=False)
    stuck = lines[lines["order_id"].isin(["Z9", "Y8"])]
    assert len(stuck) == 3 and (stuck["fc_id"] == "").all()
    assert json.loads(stdout)["units_unfilled"] == report.units_unfilled >= 50 + 1 + 10


@pytest.mark.slow
def test_demo_writes_plans_and_a_map(tmp_path: Path) -> None:
    """``dom demo`` allocates the sample day both ways; both plans pass the checker and the map
    is a PNG."""
    out = tmp_path / "demo"
    run = _dom_process("demo", "--out", str(out), "--time-limit", "5")
    assert run.returncode == 0, run.stderr
    assert "greedy" in run.stdout and "total cost" in run.stdout
    reports = {
        name: check_plan(SAMPLE / "network", SAMPLE / "orders.csv", out / name)
        for name in ("optimized", "greedy")
    }
    assert reports["optimized"].total_cost <= reports["greedy"].total_cost
    assert reports["optimized"].lower_bound is not None
    assert (out / "service_map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_exact_method_refuses_orders_beyond_its_line_limit(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path
) -> None:
    """`--method exact` on a 13-line order is bad input for that method: exit 2 with the fix."""
    orders = tmp_path / "orders.csv"
    rows = [{"order_id": "L1", "sku": "TEE", "qty": 1, "dest_zip": "10001",
             "promised_days": 5}] * 13  # fmt: skip
    pd.DataFrame(rows).to_csv(orders, index=False)
    args = ["allocate", str(TINY), str(orders), "--out", str(tmp_path / "plan"),
            "--method", "exact", "--quiet"]  # fmt: skip
    code, stdout, stderr = _dom(monkeypatch, capsys, *args)
    assert code == 2
    assert stdout == ""
    assert "13 lines" in stderr and "--method default" in stderr
    assert not (tmp_path / "plan").exists()


def test_long_orders_are_routed_and_allocated(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path
) -> None:
    """A 13-line order is routed by `dom route` and allocated by the default method."""
    lines = [{"sku": "TEE", "qty": 1}] * 13
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps({**ORDER_JSON, "lines": lines}))
    code, stdout, _ = _dom(monkeypatch, capsys, "route", str(TINY), str(order_file))
    assert code == 0
    plan = json.loads(stdout)
    routed = sorted(i for s in plan["shipments"] for i in s["lines"]) + plan["unfilled"]
    assert sorted(routed) == list(range(13))
    orders = tmp_path / "orders.csv"
    rows = [{"order_id": "L1", "sku": "TEE", "qty": 1, "dest_zip": "10001",
             "promised_days": 5}] * 13  # fmt: skip
    pd.DataFrame(rows).to_csv(orders, index=False)
    out = tmp_path / "plan"
    args = ["allocate", str(TINY), str(orders), "--out", str(out), "--time-limit", "3", "--quiet"]
    code, _, _ = _dom(monkeypatch, capsys, *args)
    assert code == 0
    check_plan(TINY, orders, out)


def test_work_limited_allocations_repeat_their_plan(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path
) -> None:
    """`--work-limit` makes `dom allocate` reproducible: two runs write the same lines.csv;
    a limit below one is bad input (exit 2)."""
    plans = []
    for run in range(2):
        out = tmp_path / f"plan{run}"
        code, _, _ = _dom(
            monkeypatch, capsys, "allocate", str(TINY), str(TINY / "orders.csv"),
            "--out", str(out), "--work-limit", "500", "--quiet",
        )  # fmt: skip
        assert code == 0
        check_plan(TINY, TINY / "orders.csv", out)
        plans.append((out / "lines.csv").read_text())
    assert plans[0] == plans[1]
    code, _, stderr = _dom(
        monkeypatch, capsys, "allocate", str(TINY), str(TINY / "orders.csv"),
        "--out", str(tmp_path / "bad"), "--work-limit", "0",
    )  # fmt: skip
    assert code == 2 and "--work-limit" in stderr
    assert not (tmp_path / "bad").exists()


def test_work_limit_holds_with_the_progress_bar_shown(generated: Path, tmp_path: Path) -> None:
    """With the progress bar (no --quiet), --work-limit still decides the plan: two runs and a
    quiet one write byte-identical shipments.csv and lines.csv, and summaries equal but for
    solve_seconds."""
    plans = []
    for run, extra in enumerate([[], [], ["--quiet"]]):
        out = tmp_path / f"plan{run}"
        args = ["allocate", str(generated), str(generated / "orders.csv"), "--out", str(out),
                "--work-limit", "3000", "--time-limit", "120", *extra]  # fmt: skip
        done = _dom_process(*args)
        assert done.returncode == 0, done.stderr
        summary = json.loads((out / "summary.json").read_text())
        del summary["solve_seconds"]
        plans.append(
            ((out / "shipments.csv").read_bytes(), (out / "lines.csv").read_bytes(), summary)
        )
    assert plans[0] == plans[1] == plans[2]
    assert plans[0][2]["gap"] > 0  # the work limit, not the gap, ended these runs
