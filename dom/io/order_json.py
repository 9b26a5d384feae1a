"""One order as JSON (contracts §2): the routing service's hot path, and ``dom route``'s file.

No pandas here: the JSON's shape is checked field by field, :class:`dom.model.Order` checks the
values (limits, destination), and the network's dicts check the SKUs. Every error names the JSON
field path (``lines[1].qty``) in ``column``, which the API returns as its ``field``; "did you
mean" hints are worked out only on a miss.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from dom.errors import InvalidInput, closest
from dom.model import Network, Order, Orders

ORDER_KEYS = ("order_id", "lines", "destination", "promised_days")
OPTIONAL_KEYS = ("ship_complete", "channel", "created_at")


def _fail(field: str, message: str, fix: str, source: str | None) -> NoReturn:
    raise InvalidInput(message, file=source, column=field or None, fix=fix)


def check_keys(
    obj: dict[str, Any],
    where: str,
    required: Sequence[str],
    optional: Sequence[str],
    source: str | None = None,
) -> None:
    """Required keys present; an unknown key spelt like an expected one fails."""
    unknown = [str(k) for k in obj if k not in required and k not in optional]
    for key in required:
        if key not in obj:
            guess = closest(key, unknown)
            fix = f"rename '{guess}' to '{key}'" if guess else f'add "{key}"'
            _fail(where + key, f"{where + key} is missing", fix, source)
    for key in unknown:
        guess = closest(key, [o for o in optional if o not in obj], cutoff=0.75)
        if guess:
            _fail(where + key, f"unknown field {where + key}", f"rename it to '{guess}'", source)


def order_from_json(
    obj: Any,
    network: Network | None = None,
    *,
    source: str | None = None,
    extra_keys: Sequence[str] = (),
) -> Order:
    """One order in the JSON form of contracts §2, validated (its SKUs too, given ``network``).

    ``extra_keys`` are further top-level keys the caller reads itself (e.g. ``allocation``).
    """
    if not isinstance(obj, dict):
        _fail(
            "", "the order must be a JSON object", 'send {"order_id": ..., "lines": [...]}', source
        )
    check_keys(obj, "", ORDER_KEYS, (*OPTIONAL_KEYS, *extra_keys), source)
    lines = obj["lines"]
    if not isinstance(lines, list) or not lines:
        _fail(
            "lines",
            "lines must be a non-empty list",
            'give at least one {"sku": ..., "qty": ...}',
            source,
        )
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            _fail(
                f"lines[{i}]",
                f"lines[{i}] must be an object",
                'write each line as {"sku": "...", "qty": 1}',
                source,
            )
        check_keys(line, f"lines[{i}].", ("sku", "qty"), (), source)
    dest = obj["destination"]
    if not isinstance(dest, dict):
        _fail(
            "destination",
            "destination must be an object",
            'give {"zip": "89501"} or {"lat": .., "lon": ..}',
            source,
        )
    try:
        order = Order(
            order_id=obj["order_id"],
            lines=lines,
            promised_days=obj["promised_days"],
            zip=dest.get("zip"),
            lat=dest.get("lat"),
            lon=dest.get("lon"),
            ship_complete=obj.get("ship_complete", False),
            channel=obj.get("channel"),
            created_at=obj.get("created_at"),
        )
        if network is not None:
            network.item_codes(order)
    except InvalidInput as exc:
        if source is None:
            raise
        raise type(exc)(exc.message, file=source, column=exc.column, fix=exc.fix) from None
    return order


def orders_from_json(objs: Sequence[Any], network: Network) -> Orders:
    """A batch of JSON orders; an error names ``orders[k].<field>``."""
    orders = []
    for k, obj in enumerate(objs):
        try:
            orders.append(order_from_json(obj, None))
        except InvalidInput as exc:
            column = f"orders[{k}]" + (f".{exc.column}" if exc.column else "")
            raise type(exc)(exc.message, column=column, fix=exc.fix) from None
    return Orders.of(orders, network)


def parse_json(text: str | bytes, *, source: str | None = None) -> Any:
    """JSON text as Python values; a syntax error or a document nested too deep is bad input."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            file=source,
            fix="fix the JSON syntax",
        ) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"not UTF-8 text: {exc.reason}", file=source, fix="send UTF-8 JSON"
        ) from None
    except RecursionError:
        raise InvalidInput(
            "the JSON is nested too deeply", file=source, fix="send an order of contracts §2"
        ) from None


def load_order_json(path: str | Path, network: Network | None = None) -> Order:
    """Read one order from a JSON file (``dom route``)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("file not found", file=str(path), fix="check the path and the file name")
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", file=str(path)) from None
    return order_from_json(parse_json(text, source=str(path)), network, source=str(path))
