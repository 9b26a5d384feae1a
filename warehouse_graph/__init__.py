"""Warehouse layouts, shortest distances, picking routes, pick lists and waves."""

from warehouse_graph.layout import Layout, RectSpec, load_layout, location_id
from warehouse_graph.routing import METHODS, Route, pick_route

__all__ = ["METHODS", "Layout", "RectSpec", "Route", "load_layout", "location_id", "pick_route"]
