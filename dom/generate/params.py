"""What to generate: sizes, seed and covers, checked once before any drawing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dom.errors import InvalidInput
from dom.generate.sites import max_sites

SAMPLE_SEED = 20250304
SAMPLE_NODES = 12
SAMPLE_SKUS = 2000
SAMPLE_ORDERS = 4000
DEFAULT_STOCK_COVER = 1.1
DEFAULT_CAPACITY_COVER = 1.25


@dataclass(frozen=True)
class GeneratorParams:
    """Sizes of a generated day, its seed, and how scarce stock and capacity are.

    ``stock_cover`` is available units over demanded units, ``capacity_cover`` node capacity over
    demanded units (kit lines counted as their component units). A seed fixes every draw.
    """

    nodes: int
    skus: int
    orders: int
    seed: int = 0
    stock_cover: float = DEFAULT_STOCK_COVER
    capacity_cover: float = DEFAULT_CAPACITY_COVER

    def __post_init__(self) -> None:
        """Reject sizes and covers the generator cannot honour, naming the value and the fix."""
        for name, value in (("nodes", self.nodes), ("skus", self.skus), ("orders", self.orders)):
            _check_whole(name, value, 1)
        most = max_sites()
        if self.nodes > most:
            raise InvalidInput(
                f"nodes={self.nodes} is more than the US cities available",
                column="nodes",
                fix=f"pass --nodes {most} or fewer",
            )
        _check_whole("seed", self.seed, 0)
        covers = (("stock_cover", self.stock_cover), ("capacity_cover", self.capacity_cover))
        for name, cover in covers:
            if not np.isfinite(cover) or cover <= 0:
                flag = "--" + name.replace("_", "-")
                raise InvalidInput(
                    f"{name}={cover!r} must be a positive number",
                    column=name,
                    fix=f"pass e.g. {flag} 1.0 (total units / demanded units)",
                )

    @classmethod
    def sample(cls) -> GeneratorParams:
        """The sizes and seed of ``data/sample``: the twelve curated nodes, default covers."""
        return cls(nodes=SAMPLE_NODES, skus=SAMPLE_SKUS, orders=SAMPLE_ORDERS, seed=SAMPLE_SEED)


def _check_whole(name: str, value: object, low: int) -> None:
    """A size or seed must be a whole number of at least ``low``."""
    if not isinstance(value, int | np.integer) or value < low:
        raise InvalidInput(
            f"{name}={value!r} is not a whole number >= {low}",
            column=name,
            fix=f"pass --{name} {low} or more",
        )
