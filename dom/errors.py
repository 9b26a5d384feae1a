"""The project's exception hierarchy.

Exceptions are for bad input and broken invariants; an order that cannot be filled is a status in
the plan, not an exception. Every message names the offending value, where it came from and the fix.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable


class DomError(Exception):
    """Root of every error this project raises on purpose."""


class InvalidInput(DomError):
    """A file, row, column or JSON field holds something the contracts do not allow.

    ``file``, ``row`` (1-based data row, header excluded), ``column`` and ``fix`` are kept apart so
    the CLI can print them and the API can turn ``column`` into the JSON ``field`` of its error.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        text = ": ".join([", ".join(where), self.message]) if where else self.message
        if self.fix:
            text += f" (fix: {self.fix})"
        return text


class UnknownSku(InvalidInput):
    """An order or inventory row names a SKU the network does not know."""


class UnknownNode(InvalidInput):
    """A row names a fulfillment node the network does not know."""


class UnknownLocation(InvalidInput):
    """A pick list names a location the layout does not have."""


class NoRoute(DomError):
    """No path exists where one is required (e.g. a disconnected warehouse graph)."""


def closest(name: str, candidates: Iterable[object], cutoff: float = 0.6) -> str | None:
    """The candidate spelt most like ``name`` (case-insensitive), if any is close: the "did you
    mean" of error messages."""
    lower: dict[str, str] = {}
    for c in candidates:
        lower.setdefault(str(c).lower(), str(c))
    hit = difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=cutoff)
    return lower[hit[0]] if hit else None


def shown(value: object, limit: int = 60) -> str:
    """A value as a message shows it: JSON where it is JSON (``true``, ``"yes"``), a list or an
    object by its kind (they may be nested without end), cut short."""
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."
