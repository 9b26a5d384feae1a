"""``dom warehouse export`` and ``dom pick-route``: outputs per §5, exit status 2 on bad input."""

from __future__ import annotations

import json
import sys

import pytest

from cli import main

LAYOUT = "data/layouts/two-block.json"


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["dom", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out = capsys.readouterr()
    return int(exit_info.value.code or 0), out.out, out.err


def test_export_prints_node_link_json(monkeypatch, capsys):
    """The export has nodes with x, y, edges with length, locations and the depot."""
    code, out, _ = _run(monkeypatch, capsys, "warehouse", "export", LAYOUT)
    data = json.loads(out)
    assert code == 0
    assert {"x", "y", "id"} <= set(data["nodes"][0])
    assert "length" in data["edges"][0]
    assert data["depot"] == "X06-C0"
    assert len(data["locations"]) == 12 * 2 * 20


def test_pick_route_json_and_png(monkeypatch, capsys, tmp_path):
    """--json prints the §5 route and --png writes a picture."""
    png = tmp_path / "route.png"
    code, out, _ = _run(
        monkeypatch,
        capsys,
        "pick-route",
        LAYOUT,
        "--locations",
        "A01-B1-S03,A09-B2-S10,A12-B1-S20",
        "--method",
        "optimal",
        "--json",
        "--png",
        str(png),
    )
    route = json.loads(out)
    assert code == 0
    assert route["method"] == "optimal" and route["proven_optimal"] is True
    assert sorted(route["stops"]) == ["A01-B1-S03", "A09-B2-S10", "A12-B1-S20"]
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--locations", "A01-B1-S03,A99-B1-S01"], "unknown location 'A99-B1-S01'"),
        (["--locations", "A01-B1-S03,A01-B1-S03"], "'A01-B1-S03' appears twice"),
        (["--locations", ","], "names no location"),
        (["--locations", "A01-B1-S03", "--method", "zigzag"], "unknown method 'zigzag'"),
    ],
)
def test_pick_route_bad_input_exits_2(monkeypatch, capsys, args, match):
    """Bad input prints one error line naming the value and exits with status 2."""
    code, out, err = _run(monkeypatch, capsys, "pick-route", LAYOUT, *args)
    assert code == 2
    assert out == ""
    assert match in err


def test_export_of_a_disconnected_layout_exits_2(monkeypatch, capsys, tmp_path):
    """A disconnected general layout is rejected naming the stray node."""
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "nodes": [
                    {"id": 1, "x": 0, "y": 0},
                    {"id": 2, "x": 1, "y": 0},
                    {"id": 3, "x": 5, "y": 5},
                ],
                "edges": [{"u": 1, "v": 2}],
                "locations": {"L": 2},
                "depot": 1,
            }
        )
    )
    code, _, err = _run(monkeypatch, capsys, "warehouse", "export", str(bad))
    assert code == 2
    assert "node 3 cannot be reached from depot 1" in err
