"""Checks of what callers send to the lifecycle's actions: line lists, counts and choices; every
error names its JSON field (``lines[1].qty``) and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dom.errors import InvalidInput, shown
from dom.model import MAX_QTY, check_whole
from dom.orders.state import OrderState


def line_list(
    value: Any, keys: Sequence[str], *, optional: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """``[{"line_no": .., <keys>}]``: a non-empty list of objects with whole ``line_no`` and
    ``qty``-like counts; other keys are returned as given."""
    if not isinstance(value, list) or not value:
        raise InvalidInput(
            "lines must be a non-empty list",
            column="lines",
            fix='give [{"line_no": 0, ...}]',
        )
    out = []
    for i, item in enumerate(value):
        where = f"lines[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where} must be an object", column=where)
        for key in item:
            if key not in ("line_no", *keys, *optional):
                raise InvalidInput(f"unknown field {where}.{key}", column=f"{where}.{key}")
        for key in ("line_no", *keys):
            if key not in item:
                raise InvalidInput(f"{where}.{key} is missing", column=f"{where}.{key}")
        parsed = dict(item)
        parsed["line_no"] = check_whole(item["line_no"], f"{where}.line_no", 0, 10**6)
        out.append(parsed)
    return out


def count(item: dict[str, Any], key: str, where: str, low: int = 1) -> int:
    return check_whole(item[key], f"{where}.{key}", low, MAX_QTY)


def known_line(state: OrderState, line_no: int, where: str) -> None:
    if line_no not in state.lines:
        raise InvalidInput(
            f"{where}.line_no is {line_no}: order '{state.order_id}' has lines 0 to "
            f"{len(state.lines) - 1}",
            column=f"{where}.line_no",
        )


def choice(value: Any, field: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise InvalidInput(
            f"{field} is {shown(value)}", column=field, fix=f"use one of {', '.join(allowed)}"
        )
    return str(value)


def text(value: Any, field: str, *, limit: int = 500, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidInput(
            f"{field} is {shown(value)}",
            column=field,
            fix=f"give text of 1 to {limit} characters",
        )
    return value
