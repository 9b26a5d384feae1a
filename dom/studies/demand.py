"""Demand of a study: the days it replays and the futures its bid prices forecast.

Method: the generator's order shapes (``dom.generate.orders.draw_orders``: lines per order,
quantities, promises, channels, hours, ZIP population weights) over a catalogue made from the
study's base network: SKU weights and kits from the bundle, each item's demand share from the
orders file when the study has one (its line counts, plus one half), else from the stock held
(units available plus one half: planners stock to their forecast). Random streams come from
``numpy.random.SeedSequence`` keyed by (demand seed, replicate seed, purpose, day, sample) only,
so seed ``i`` is the same demand in every scenario and mode, on any worker, and a forecast sample
is never the day it forecasts. A demand multiplier adds orders from their own stream (above 1)
or keeps each order with that probability (below 1): the base day's orders stay in every
scenario (common random numbers). docs/studies.md ("Demand") gives the reasoning.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dom.generate.catalogue import Catalogue
from dom.generate.orders import ORDER_DAY, draw_orders
from dom.io import load_orders
from dom.model import Network, Orders, utc_seconds
from dom.studies.spec import Scenario, Study

# purposes of the random streams
DAY, SURGE, THIN, FORECAST = 0, 1, 2, 3
_SMOOTHING = 0.5  # units (or lines) added to every item's share, so none is never demanded
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, eq=False)
class DemandModel:
    """Where a study's days come from: the orders file (day 1) and the generator's shapes."""

    catalogue: Catalogue
    orders_per_day: int
    seed: int  # the study's demand seed
    first_day: np.datetime64  # midnight (UTC) opening day 1
    reference: pd.DataFrame | None  # the orders file's rows: day 1 when given

    @classmethod
    def of(cls, study: Study, network: Network) -> DemandModel:
        """The demand of ``study`` on its base ``network`` (never a scenario's: demand is the
        same in every scenario)."""
        reference = None
        first_day = np.datetime64(ORDER_DAY, "s")
        counts = network.available().sum(axis=0).astype(np.float64)
        kit_counts = np.zeros(network.num_kits)
        if study.orders is not None:
            reference = pd.read_csv(study.orders, dtype=str, keep_default_na=False)
            orders = load_orders(study.orders, network)  # checked, and its item codes
            items = np.bincount(orders.line_item, minlength=network.num_skus + network.num_kits)
            counts = items[: network.num_skus].astype(np.float64)
            kit_counts = items[network.num_skus :].astype(np.float64)
            created = np.asarray(orders.created_at)
            stamps = created[~np.isnat(created)]
            if len(stamps):
                first_day = stamps.min().astype("datetime64[D]").astype("datetime64[s]")
        if study.demand is not None:
            per_day = study.demand.orders_per_day
        else:
            per_day = 0 if reference is None else int(reference["order_id"].nunique())
        popularity = counts + _SMOOTHING
        kit_popularity = kit_counts + _SMOOTHING
        catalogue = Catalogue(
            sku_ids=network.sku_ids.astype(str),
            weight_lb=network.weight_lb,
            popularity=popularity / popularity.sum(),
            kit_ids=network.kit_ids.astype(str),
            kit_ptr=network.kit_ptr,
            kit_comp=network.kit_comp_sku,
            kit_qty=network.kit_comp_qty,
            kit_popularity=kit_popularity / max(kit_popularity.sum(), 1e-12),
        )
        seed = study.demand.seed if study.demand is not None else 0
        return cls(catalogue, per_day, seed, first_day, reference)

    def _rng(self, seed: int, purpose: int, day: int, sample: int = 0) -> np.random.Generator:
        entropy = [self.seed, seed, purpose, day, sample]
        return np.random.default_rng(np.random.SeedSequence(entropy))

    def _drawn(self, count: int, rng: np.random.Generator, day: int, prefix: str) -> pd.DataFrame:
        """``count`` generated orders on ``day``, ids ``prefix`` + the generator's."""
        if count <= 0:
            return pd.DataFrame(columns=list(_COLUMNS))
        frame = draw_orders(count, self.catalogue, rng).orders
        frame["order_id"] = prefix + frame["order_id"]
        shift = self.first_day - np.datetime64(ORDER_DAY, "s") + np.timedelta64(day - 1, "D")
        times = np.asarray(utc_seconds(frame["created_at"].to_numpy()) + shift, "datetime64[s]")
        frame["created_at"] = np.char.add(np.datetime_as_string(times, unit="s").astype(str), "Z")
        return frame

    def day(self, seed: int, day: int, multiply: float = 1.0) -> pd.DataFrame:
        """The orders of ``day`` for replicate ``seed``, as rows of contracts §2, by arrival."""
        if day == 1 and self.reference is not None:
            base = self.reference.copy()
        else:
            base = self._drawn(self.orders_per_day, self._rng(seed, DAY, day), day, f"D{day}-")
        return self._scaled(base, seed, day, multiply, DAY)

    def forecast(self, seed: int, day: int, sample: int, multiply: float = 1.0) -> pd.DataFrame:
        """Sampled future ``sample`` of ``day``: a day drawn from the same shapes on its own
        stream, never the day replayed."""
        rng = self._rng(seed, FORECAST, day, sample)
        base = self._drawn(self.orders_per_day, rng, day, f"F{sample}-")
        return self._scaled(base, seed, day, multiply, FORECAST + 1 + sample)

    def _scaled(
        self, frame: pd.DataFrame, seed: int, day: int, multiply: float, stream: int
    ) -> pd.DataFrame:
        """``frame`` with the demand multiplier applied: extra orders above 1, a thinned day
        below; rows ordered by arrival (``created_at``), an order's rows together."""
        if multiply > 1:
            extra = round((multiply - 1) * self.orders_per_day)
            rng = self._rng(seed, SURGE, day, stream)
            frame = pd.concat([frame, self._drawn(extra, rng, day, f"D{day}-X")], ignore_index=True)
        elif multiply < 1:
            ids = frame["order_id"].unique()
            keep = self._rng(seed, THIN, day, stream).random(len(ids)) < multiply
            frame = frame[frame["order_id"].isin(ids[keep])].reset_index(drop=True)
        return by_arrival(frame)


_COLUMNS = (
    "order_id", "sku", "qty", "promised_days", "dest_zip", "dest_lat", "dest_lon",
    "ship_complete", "channel", "created_at",
)  # fmt: skip


def by_arrival(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows stably sorted by ``created_at`` (empty last), an order's rows kept together."""
    if "created_at" not in frame or frame.empty:
        return frame.reset_index(drop=True)
    first = frame.groupby("order_id", sort=False)["created_at"].transform("first")
    times = utc_seconds(first.where(first.ne(""), None).to_numpy())
    key = np.where(np.isnat(times), np.iinfo(np.int64).max, times.astype(np.int64))
    rank = (
        pd.Series(frame["order_id"])
        .map({o: i for i, o in enumerate(pd.unique(frame["order_id"]))})
        .to_numpy()
    )
    return frame.iloc[np.lexsort((np.arange(len(frame)), rank, key))].reset_index(drop=True)


def with_promise(frame: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The scenario's promise edits on order rows."""
    if scenario.promised_days is None and scenario.promised_at_most is None:
        return frame
    frame = frame.copy()
    days = pd.to_numeric(frame["promised_days"]).to_numpy(np.int64)
    if scenario.promised_days is not None:
        days = np.full(len(days), scenario.promised_days)
    if scenario.promised_at_most is not None:
        days = np.minimum(days, scenario.promised_at_most)
    frame["promised_days"] = days.astype(str)
    return frame


def orders_of(frame: pd.DataFrame, network: Network) -> Orders:
    """Rows of contracts §2 checked and loaded as they would be from a file."""
    with tempfile.TemporaryDirectory(prefix="dom-orders-") as tmp:
        path = Path(tmp) / "orders.csv"
        frame.to_csv(path, index=False)
        return load_orders(path, network)


def seconds_of_day(orders: Orders, first_day: np.datetime64, day: int) -> np.ndarray:
    """Seconds since the opening of ``day`` at which each order arrived (0 without a time)."""
    created = np.asarray(orders.created_at, "datetime64[s]")
    opening = first_day + np.timedelta64(day - 1, "D")
    seconds = np.asarray(created - opening, "timedelta64[s]").astype(np.int64)
    return np.where(np.isnat(created), 0, seconds)


def take_orders(orders: Orders, index: np.ndarray) -> tuple[Orders, np.ndarray]:
    """Orders ``index`` of the batch, and the positions of their lines in the batch's lines."""
    index = np.asarray(index, np.int64)
    sizes = orders.line_ptr[index + 1] - orders.line_ptr[index]
    starts = np.repeat(orders.line_ptr[index], sizes)
    ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    lines = (starts + np.arange(ptr[-1]) - np.repeat(ptr[:-1], sizes)).astype(np.int64)
    created = orders.created_at if orders.created_at is not None else None
    subset = Orders(
        order_ids=orders.order_ids[index],
        dest_lat=orders.dest_lat[index],
        dest_lon=orders.dest_lon[index],
        promised_days=orders.promised_days[index],
        ship_complete=orders.ship_complete[index],
        channel=orders.channel[index],
        line_ptr=ptr,
        line_item=orders.line_item[lines],
        line_qty=orders.line_qty[lines],
        created_at=None if created is None else created[index],
    )
    return subset, lines
