"""Route pictures: a PNG of the layout, the walk and the numbered stops."""

from __future__ import annotations

from warehouse_graph import draw_route, load_layout, pick_route


def test_draw_route_writes_a_png(tmp_path):
    """draw_route writes a PNG file and returns its path, for rectangular and general layouts."""
    for name in ("two-block", "floor-with-obstacle"):
        layout = load_layout(f"data/layouts/{name}.json")
        route = pick_route(layout, layout.location_ids[:4])
        out = draw_route(layout, route, tmp_path / f"{name}.png", title=name)
        assert out == tmp_path / f"{name}.png"
        assert out.read_bytes()[:4] == b"\x89PNG"
