"""Reading what users give: network bundles (§1), order files (§2) and orders as JSON (§2).

Every loader validates as it reads and raises :class:`dom.errors.InvalidInput` naming the file,
row and column (or the JSON field) and the fix; nothing is half-loaded.
"""

from dom.io.network import load_network, load_policy
from dom.io.order_json import load_order_json, order_from_json, orders_from_json, parse_json
from dom.io.orders import load_orders

__all__ = [
    "load_network",
    "load_order_json",
    "load_orders",
    "load_policy",
    "order_from_json",
    "orders_from_json",
    "parse_json",
]
