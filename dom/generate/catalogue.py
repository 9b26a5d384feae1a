"""The catalogue: SKU weights, Zipf demand shares and kits built from popular light SKUs.

Method: lognormal weights (a small-goods and a bulky mixture), Zipf demand shares, kits in CSR
form. docs/data.md ("SKUs", "Kits") gives every number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_SKU_ZIPF = 0.8
_KIT_ZIPF = 1.0
_SKUS_PER_KIT = 200
_MAX_KITS = 25
_MAX_KIT_COMPONENT_LB = 10.0  # bundles are of goods that pack together


@dataclass(frozen=True, eq=False)
class Catalogue:
    """SKUs, axis [sku], and kits in CSR form: kit k is components ``kit_comp[kit_ptr[k]:
    kit_ptr[k + 1]]`` (SKU rows) with quantities ``kit_qty`` alike. Items are SKUs then kits."""

    sku_ids: np.ndarray  # str
    weight_lb: np.ndarray  # float64
    popularity: np.ndarray  # float64, demand share; sums to 1
    kit_ids: np.ndarray  # str, [kit]
    kit_ptr: np.ndarray  # int64, [kit + 1]
    kit_comp: np.ndarray  # int64, [component]
    kit_qty: np.ndarray  # int64, [component]
    kit_popularity: np.ndarray  # float64, [kit]; demand share among kit lines

    @property
    def num_skus(self) -> int:
        return len(self.weight_lb)

    @property
    def num_kits(self) -> int:
        return len(self.kit_ptr) - 1

    @property
    def component_kit(self) -> np.ndarray:
        """The kit of each component, [component]."""
        return np.repeat(np.arange(self.num_kits), np.diff(self.kit_ptr))

    def item_ids(self) -> np.ndarray:
        """Ids of the items an order line may name, [item]: SKUs then kits."""
        return np.concatenate([self.sku_ids, self.kit_ids])

    def item_weight(self) -> np.ndarray:
        """Weight in lb of one unit of each item, [item]; a kit weighs its components."""
        kit_weight = np.bincount(
            self.component_kit,
            weights=self.weight_lb[self.kit_comp] * self.kit_qty,
            minlength=self.num_kits,
        )
        return np.concatenate([self.weight_lb, kit_weight])

    def skus_frame(self) -> pd.DataFrame:
        """``skus.csv`` (contracts §1)."""
        return pd.DataFrame({"sku": self.sku_ids, "weight_lb": self.weight_lb})

    def kits_frame(self) -> pd.DataFrame:
        """``kits.csv`` (contracts §1): one row per component."""
        return pd.DataFrame(
            {
                "kit_sku": self.kit_ids[self.component_kit],
                "component_sku": self.sku_ids[self.kit_comp],
                "qty": self.kit_qty,
            }
        )


def draw_catalogue(num_skus: int, rng: np.random.Generator) -> Catalogue:
    """SKU weights and demand shares, then the kits and their demand shares, from one stream."""
    weight_lb, popularity = _draw_skus(num_skus, rng)
    kit_ptr, kit_comp, kit_qty = _draw_kits(weight_lb, popularity, rng)
    kit_popularity = zipf(len(kit_ptr) - 1, _KIT_ZIPF, rng)
    return Catalogue(
        sku_ids=numbered("SKU-", num_skus, max(5, len(str(num_skus)))),
        weight_lb=weight_lb,
        popularity=popularity,
        kit_ids=numbered("KIT-", len(kit_ptr) - 1, 4),
        kit_ptr=kit_ptr,
        kit_comp=kit_comp,
        kit_qty=kit_qty,
        kit_popularity=kit_popularity,
    )


def numbered(prefix: str, n: int, width: int) -> np.ndarray:
    """Ids ``prefix`` + 1..n zero-padded to ``width`` digits, without a Python loop per id."""
    if n == 0:
        return np.zeros(0, dtype=str)
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def zipf(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Probabilities ``p ∝ 1 / rank**exponent`` over ``n`` items, ranks shuffled."""
    if n == 0:
        return np.zeros(0)
    p = 1.0 / np.arange(1, n + 1) ** exponent
    return rng.permutation(p / p.sum())


def _draw_skus(num_skus: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """SKU weights (lb; most small, a bulky tail) and Zipf demand shares."""
    bulky = rng.random(num_skus) < 0.08
    small = np.clip(rng.lognormal(np.log(1.1), 0.8, num_skus), 0.1, 20.0)
    large = np.clip(rng.lognormal(np.log(14.0), 0.55, num_skus), 5.0, 60.0)
    weight = np.round(np.where(bulky, large, small), 2)
    return weight, zipf(num_skus, _SKU_ZIPF, rng)


def _draw_kits(
    weight_lb: np.ndarray, popularity: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kits in CSR form (ptr, component SKU, qty); components drawn by popularity, since bundles
    are built from sellers."""
    eligible = np.flatnonzero(weight_lb <= _MAX_KIT_COMPONENT_LB)
    num_kits = min(len(weight_lb) // _SKUS_PER_KIT, _MAX_KITS) if len(eligible) >= 4 else 0
    sizes = rng.integers(2, 5, num_kits)
    ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    p = popularity[eligible] / popularity[eligible].sum()
    comps = [rng.choice(eligible, size=k, replace=False, p=p) for k in sizes]
    comp = np.concatenate(comps).astype(np.int64) if comps else np.zeros(0, dtype=np.int64)
    qty = np.where(rng.random(len(comp)) < 0.8, 1, 2).astype(np.int64)
    return ptr, comp, qty
