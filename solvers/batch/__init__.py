"""Batch allocation with shared stock and capacity: a proven Lagrangian bound and a plan.

The batch problem is one small set-partition problem per order (which lines ship from which node)
coupled only by stock per (node, SKU) and capacity per node. Pricing those couplings with
multipliers splits it into independent single-order problems, each solved exactly by the kernel
(``solvers.order``), so the sum of their priced costs minus the priced supply is a proven lower
bound for any non-negative prices (Lagrangian relaxation; Fisher 1981, Mgmt Sci 27(1)). The
prices are searched over a pool of the plans seen (column generation, ``solvers.columns``), rounded
stock rows are priced too (``solvers.cuts``), and plans come from the same prices, improved by
exact coordinate descent and ruin-and-recreate moves (``solvers.lns``). ``docs/allocation.md``
describes the method and its measured design choices.
"""

from solvers.batch.params import BatchParams
from solvers.batch.pricing import lagrangian_bound
from solvers.batch.solve import Progress, price, solve

__all__ = ["BatchParams", "Progress", "lagrangian_bound", "price", "solve"]
