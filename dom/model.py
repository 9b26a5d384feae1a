"""The domain's data: a network bundle, one order, and a batch of orders (columnar, immutable).

Ids are mapped to dense integers once, at load time (``dom.io``): node ``f`` in ``0..num_nodes-1``
(file order of ``fcs.csv``), SKU ``s`` in ``0..num_skus-1`` (file order of ``skus.csv``), kit ``k``
in ``0..num_kits-1``. Orders refer to *items*: item ``i < num_skus`` is SKU ``i``, item
``num_skus + k`` is kit ``k``. Arrays carry their axes in comments (``on_hand[node, sku]``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dom.errors import InvalidInput, UnknownSku, closest, shown
from dom.geo import locate_zip

# Limits of contracts §2, in files and JSON alike
MAX_QTY = 1_000_000
MAX_PROMISED_DAYS = 365
MAX_LINES_PER_ORDER = 1_000
MAX_ID_CHARS = 128


@dataclass(frozen=True)
class Policy:
    """``policy.yaml``: the penalties of the cost model (contracts §3)."""

    late_penalty_per_day: float
    backorder_penalty_per_unit: float
    split_penalty: float
    max_shipments_per_order: int | None  # None: unlimited


@dataclass(frozen=True, eq=False)
class Network:
    """A validated network bundle (contracts §1)."""

    # nodes, axis [node]
    node_ids: np.ndarray  # str
    node_names: np.ndarray  # str ("" when not given)
    node_kinds: np.ndarray  # str: "warehouse" | "store"
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    capacity: np.ndarray  # float64, np.inf when unlimited
    handling_cost: np.ndarray  # float64
    processing_days: np.ndarray  # int64
    enabled: np.ndarray  # bool
    accepts_returns: np.ndarray  # bool
    # SKUs, axis [sku]
    sku_ids: np.ndarray  # str
    weight_lb: np.ndarray  # float64 > 0
    # kits, axis [kit]; components in CSR form: kit k has kit_comp_sku[kit_ptr[k]:kit_ptr[k+1]]
    kit_ids: np.ndarray  # str
    kit_ptr: np.ndarray  # int64 [num_kits + 1]
    kit_comp_sku: np.ndarray  # int64 [nnz] sku index
    kit_comp_qty: np.ndarray  # int64 [nnz] units of that SKU per kit
    # inventory, axes [node, sku]; zero where the file has no row
    on_hand: np.ndarray  # int64
    safety_stock: np.ndarray  # int64
    reorder_point: np.ndarray  # int64, -1 where not given
    # zones, axis [zone]: zone_ids[z] applies when zone_min[z] <= miles < zone_max[z]
    zone_ids: np.ndarray  # int64
    zone_min: np.ndarray  # float64
    zone_max: np.ndarray  # float64
    # services, axis [service]
    service_names: np.ndarray  # str, sorted by name
    transit_days: np.ndarray  # int64 [service, zone], -1 where not offered
    # rates: price of one package of billable weight b (1..max) is rate_price[service, zone, b],
    # already resolved to "the smallest breakpoint >= b"; np.inf where the service cannot carry it.
    # Index 0 is unused (billable weight is at least 1).
    rate_price: np.ndarray  # float64 [service, zone, max_billable_lb + 1]
    policy: Policy
    source: Path | None = None
    sku_index: dict[str, int] = field(default_factory=dict)  # sku id -> sku index
    kit_index: dict[str, int] = field(default_factory=dict)  # kit id -> kit index
    node_index: dict[str, int] = field(default_factory=dict)  # fc id -> node index

    def __post_init__(self) -> None:
        # id -> index maps, built from the id arrays when the caller did not pass them
        for name, ids in (
            ("sku_index", self.sku_ids),
            ("kit_index", self.kit_ids),
            ("node_index", self.node_ids),
        ):
            if not getattr(self, name) and len(ids):
                object.__setattr__(self, name, {str(v): i for i, v in enumerate(ids)})

    @property
    def num_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def num_skus(self) -> int:
        return len(self.sku_ids)

    @property
    def num_kits(self) -> int:
        return len(self.kit_ids)

    @property
    def max_billable_lb(self) -> int:
        return self.rate_price.shape[2] - 1

    def available(self) -> np.ndarray:
        """Units free to allocate, ``max(0, on_hand - safety_stock)`` per [node, sku]; zero at
        disabled nodes."""
        avail = np.maximum(self.on_hand - self.safety_stock, 0)
        avail[~self.enabled] = 0
        return avail

    def item_id(self, item: int) -> str:
        """The SKU or kit id of an item index."""
        if item < self.num_skus:
            return str(self.sku_ids[item])
        return str(self.kit_ids[item - self.num_skus])

    @property
    def item_ids(self) -> np.ndarray:
        """SKU ids then kit ids: position = item index."""
        return np.concatenate([self.sku_ids, self.kit_ids]).astype(str)

    def item_code(self, item_id: str) -> int:
        """Item index of a SKU or kit id; -1 if the network knows neither."""
        code = self.sku_index.get(item_id)
        if code is not None:
            return code
        kit = self.kit_index.get(item_id)
        return -1 if kit is None else self.num_skus + kit

    def item_codes(self, order: Order, where: str = "") -> list[int]:
        """Item index of each line of ``order``; an unknown SKU raises naming ``lines[i].sku``
        (after ``where``, e.g. ``orders[3].``) with the closest known id."""
        codes = [self.item_code(line.sku) for line in order.lines]
        if min(codes) >= 0:
            return codes
        i = codes.index(-1)
        sku = order.lines[i].sku
        guess = closest(sku, self.item_ids) if self.num_skus + self.num_kits <= 50_000 else None
        hint = f"did you mean '{guess}'? " if guess else ""
        raise UnknownSku(
            f"unknown SKU {shown(sku)} at {where}lines[{i}].sku",
            column=f"{where}lines[{i}].sku",
            fix=hint + "use a SKU of skus.csv or a kit of kits.csv",
        )


@dataclass(frozen=True, eq=False)
class Orders:
    """Validated orders (contracts §2), one row per order, lines in CSR form.

    Lines of order ``o`` are ``line_ptr[o]:line_ptr[o+1]``, in ``line_no`` order (their file order
    among that order's rows). Orders keep the order of their first appearance.
    """

    order_ids: np.ndarray  # str [order]
    dest_lat: np.ndarray  # float64 [order]
    dest_lon: np.ndarray  # float64 [order]
    promised_days: np.ndarray  # int64 [order]
    ship_complete: np.ndarray  # bool [order]
    channel: np.ndarray  # str [order], "" when not given
    line_ptr: np.ndarray  # int64 [order + 1]
    line_item: np.ndarray  # int64 [line]: sku index, or num_skus + kit index
    line_qty: np.ndarray  # int64 [line] > 0
    created_at: np.ndarray | None = None  # datetime64[s] UTC [order], NaT where not given
    source: Path | None = None

    def __post_init__(self) -> None:
        if self.created_at is None:
            object.__setattr__(
                self, "created_at", np.full(len(self.order_ids), "NaT", "datetime64[s]")
            )

    @property
    def num_orders(self) -> int:
        return len(self.order_ids)

    @property
    def num_lines(self) -> int:
        return len(self.line_item)

    def order(self, o: int, network: Network) -> Order:
        """Order ``o`` of the batch as one :class:`Order` (as the OMS would send it)."""
        first, last = int(self.line_ptr[o]), int(self.line_ptr[o + 1])
        return Order(
            order_id=str(self.order_ids[o]),
            lines=tuple(
                OrderLine(network.item_id(int(i)), int(q))
                for i, q in zip(self.line_item[first:last], self.line_qty[first:last], strict=True)
            ),
            promised_days=int(self.promised_days[o]),
            lat=float(self.dest_lat[o]),
            lon=float(self.dest_lon[o]),
            ship_complete=bool(self.ship_complete[o]),
            channel=str(self.channel[o]),
            created_at=iso_time(self.created_at[o]) if self.created_at is not None else None,
        )

    @classmethod
    def of(cls, orders: Sequence[Order], network: Network) -> Orders:
        """The batch of ``orders`` in their order; SKUs checked against ``network`` (an error
        names ``orders[k].lines[i].sku``), order ids must be distinct."""
        first_seen: dict[str, int] = {}
        items: list[int] = []
        for k, order in enumerate(orders):
            if order.order_id in first_seen:
                raise InvalidInput(
                    f"order_id {order.order_id!r} is also orders[{first_seen[order.order_id]}]",
                    column=f"orders[{k}].order_id",
                    fix="give every order its own order_id",
                )
            first_seen[order.order_id] = k
            items += network.item_codes(order, f"orders[{k}].")
        sizes = [len(order.lines) for order in orders]
        return cls(
            order_ids=np.array([order.order_id for order in orders], dtype=str),
            dest_lat=np.array([order.dest_lat for order in orders], np.float64),
            dest_lon=np.array([order.dest_lon for order in orders], np.float64),
            promised_days=np.array([order.promised_days for order in orders], np.int64),
            ship_complete=np.array([order.ship_complete for order in orders], bool),
            channel=np.array([order.channel for order in orders], dtype=str),
            line_ptr=np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64),
            line_item=np.array(items, np.int64),
            line_qty=np.array([line.qty for order in orders for line in order.lines], np.int64),
            created_at=utc_seconds([order.created_at for order in orders]),
        )


def utc_seconds(times: Sequence[str | None] | np.ndarray) -> np.ndarray:
    """ISO-8601 times (with or without an offset) as datetime64[s] in UTC; NaT for None."""
    parsed = pd.to_datetime(
        pd.Series(list(times), dtype=object), errors="coerce", utc=True, format="ISO8601"
    )
    return parsed.dt.tz_convert(None).to_numpy("datetime64[s]")


def iso_time(moment: np.datetime64) -> str | None:
    """``2026-03-02T14:05:00Z`` of a datetime64 in UTC; None for NaT."""
    if np.isnat(moment):
        return None
    return f"{np.datetime_as_string(moment.astype('datetime64[s]'), unit='s')}Z"


def check_id(value: Any, field: str, what: str) -> str:
    """An id of 1 to ``MAX_ID_CHARS`` printable characters (a whole number is read as text)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInput(
            f"{field} is {shown(value)}", column=field, fix=f"give {what} as a string"
        )
    text = str(value).strip()
    if not 1 <= len(text) <= MAX_ID_CHARS or not text.isprintable():
        raise InvalidInput(
            f"{field} is {shown(text)}, not an id",
            column=field,
            fix=f"give {what} as 1 to {MAX_ID_CHARS} printable characters",
        )
    return text


def check_whole(value: Any, field: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` (2.0 counts as 2; true does not)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and isinstance(value, float):
        ok = math.isfinite(value) and value.is_integer()
    if not ok or not low <= value <= high:
        text = "too large" if isinstance(value, int) and abs(value) >= 10**12 else shown(value)
        raise InvalidInput(
            f"{field} is {text}",
            column=field,
            fix=f"{field.rsplit('.', 1)[-1]} must be a whole number from {low:,} to {high:,}",
        )
    return int(value)


def check_number(value: Any, field: str, low: float, high: float) -> float:
    """A finite number from ``low`` to ``high``."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and isinstance(value, float):
        ok = math.isfinite(value)
    if not ok or not low <= value <= high:
        raise InvalidInput(
            f"{field} is {shown(value)}",
            column=field,
            fix=f"give a number from {low:g} to {high:g}",
        )
    return float(value)


@dataclass(frozen=True)
class OrderLine:
    """One line of an order: units of a SKU or kit."""

    sku: str
    qty: int


def _line(value: Any, i: int) -> OrderLine:
    """An :class:`OrderLine` from itself, a ``(sku, qty)`` pair or a ``{"sku", "qty"}`` mapping."""
    where = f"lines[{i}]"
    sku: Any
    qty: Any
    if isinstance(value, OrderLine):
        sku, qty = value.sku, value.qty
    elif isinstance(value, Mapping):
        sku, qty = value.get("sku"), value.get("qty")
    elif isinstance(value, tuple | list) and len(value) == 2:
        sku, qty = value
    else:
        raise InvalidInput(
            f"{where} must be a line",
            column=where,
            fix='write each line as {"sku": "...", "qty": 1}',
        )
    return OrderLine(
        check_id(sku, f"{where}.sku", "the SKU or kit id"),
        check_whole(qty, f"{where}.qty", 1, MAX_QTY),
    )


@dataclass(frozen=True, init=False)
class Order:
    """One order (contracts §2), checked on construction; errors name the JSON field.

    The destination is ``lat`` and ``lon`` (they win when both forms are given) or a US ``zip``;
    ``dest_lat``/``dest_lon`` are where it resolves. ``lines`` may be given as ``(sku, qty)``
    pairs or ``{"sku", "qty"}`` mappings. SKUs are checked against a network where the order is
    used (``Network.item_codes``).
    """

    order_id: str
    lines: tuple[OrderLine, ...]
    promised_days: int
    zip: str | None
    lat: float | None
    lon: float | None
    ship_complete: bool
    channel: str
    created_at: str | None
    dest_lat: float
    dest_lon: float

    def __init__(
        self,
        order_id: str | int,
        lines: Sequence[OrderLine | tuple[str, int] | Mapping[str, Any]],
        promised_days: int,
        *,
        zip: str | int | None = None,
        lat: float | None = None,
        lon: float | None = None,
        ship_complete: bool | None = False,
        channel: str | None = "",
        created_at: str | None = None,
    ) -> None:
        put = object.__setattr__
        put(self, "order_id", check_id(order_id, "order_id", "the order id"))
        if isinstance(lines, str | bytes | Mapping) or not isinstance(lines, Sequence) or not lines:
            raise InvalidInput(
                "lines must be a non-empty list",
                column="lines",
                fix='give at least one {"sku": ..., "qty": ...}',
            )
        if len(lines) > MAX_LINES_PER_ORDER:
            raise InvalidInput(
                f"the order has {len(lines):,} lines",
                column="lines",
                fix=f"split it into orders of at most {MAX_LINES_PER_ORDER:,} lines",
            )
        put(self, "lines", tuple(_line(line, i) for i, line in enumerate(lines)))
        put(
            self,
            "promised_days",
            check_whole(promised_days, "promised_days", 0, MAX_PROMISED_DAYS),
        )
        put(self, "zip", zip)
        put(self, "lat", lat)
        put(self, "lon", lon)
        self._resolve_destination()
        ship_complete = False if ship_complete is None else ship_complete
        if not isinstance(ship_complete, bool):
            raise InvalidInput(
                f"ship_complete is {shown(ship_complete)}",
                column="ship_complete",
                fix="write true or false",
            )
        put(self, "ship_complete", ship_complete)
        channel = "" if channel is None else channel
        if not isinstance(channel, str) or len(channel) > MAX_ID_CHARS:
            raise InvalidInput(
                f"channel is {shown(channel)}",
                column="channel",
                fix=f"give the channel as text of at most {MAX_ID_CHARS} characters",
            )
        put(self, "channel", channel)
        put(
            self,
            "created_at",
            None if created_at is None else check_timestamp(created_at, "created_at"),
        )

    def _resolve_destination(self) -> None:
        put = object.__setattr__
        if self.lat is not None or self.lon is not None:
            for key in ("lat", "lon"):
                if getattr(self, key) is None:
                    raise InvalidInput(
                        f"destination.{key} is missing",
                        column=f"destination.{key}",
                        fix="give both lat and lon, or a zip",
                    )
            put(self, "lat", check_number(self.lat, "destination.lat", -90, 90))
            put(self, "lon", check_number(self.lon, "destination.lon", -180, 180))
            put(self, "dest_lat", self.lat)
            put(self, "dest_lon", self.lon)
            plain = isinstance(self.zip, str | int) and not isinstance(self.zip, bool)
            put(self, "zip", str(self.zip) if plain else None)  # the coordinates win
            return
        if self.zip is None:
            raise InvalidInput(
                "destination has neither zip nor lat/lon",
                column="destination.zip",
                fix='give {"zip": "89501"} or {"lat": .., "lon": ..}',
            )
        if isinstance(self.zip, bool) or not isinstance(self.zip, str | int):
            raise InvalidInput(
                f"destination.zip is {shown(self.zip)}",
                column="destination.zip",
                fix="give the ZIP as a 5-digit string",
            )
        text = str(self.zip)
        found = locate_zip(text) if len(text) <= 16 else None
        if found is None:
            raise InvalidInput(
                f"destination.zip {text[:16]!r} is not a known US ZIP code",
                column="destination.zip",
                fix="check the ZIP (5 digits, as a string), or give lat and lon",
            )
        put(self, "zip", text)
        put(self, "dest_lat", found[0])
        put(self, "dest_lon", found[1])


def check_timestamp(value: Any, field: str) -> str:
    """An ISO-8601 date and time (``2026-03-02T14:05:00Z``), returned as given."""
    ok = isinstance(value, str) and len(value) <= 64
    if ok:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            ok = False
    if not ok:
        raise InvalidInput(
            f"{field} is {shown(value)}",
            column=field,
            fix="give an ISO-8601 time such as 2026-03-02T14:05:00Z",
        )
    return str(value)
