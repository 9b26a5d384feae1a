"""Pick waves: cart trips routed, a third of the walk saved on a day."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.warehouse.plans import DAY, sample_day, walk_of
from warehouse_graph import Cart, build_pick_lists, load_slotting, plan_waves, read_node_lines

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"


def test_waves_save_a_third_of_the_walk_on_a_day(tmp_path: Path) -> None:
    """On a skewed day waves save 30% of the walk, beat FCFS carts, and every walk recomputes."""
    plan_dir, slotting_csv = sample_day(tmp_path, 300, seed=1)
    lists = build_pick_lists(read_node_lines(plan_dir, "FC"), load_slotting(slotting_csv, DAY), DAY)
    cart = Cart(units=40, orders=10)
    plan = plan_waves(DAY, lists, cart)
    fcfs = plan_waves(DAY, lists, cart, seed="fcfs", improve=False)
    assert plan.saving >= 0.30
    assert plan.total_walk_m < fcfs.total_walk_m
    assert plan.solo_walk_m == pytest.approx(fcfs.solo_walk_m)
    for route in plan.routes + plan.solo_routes:
        assert route.length_m == pytest.approx(walk_of(DAY, list(route.stops)))
    waves = plan.waves_table()
    assert waves["units"].max() <= cart.units and waves["num_orders"].max() <= cart.orders
    picks = plan.picks_table()
    assert len(picks) == len(lists.sku) and picks["qty"].sum() == lists.qty.sum()
