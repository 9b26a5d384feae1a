"""Warehouse layouts, shortest distances, picking routes, pick lists and waves."""
