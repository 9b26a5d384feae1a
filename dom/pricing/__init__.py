"""Bid prices on stock and capacity (contracts §12): computed from the stock left and a forecast
of the rest of the horizon, and a way to route with them. Study replays (``online_bid``, priced
waves), the live service and explanations share this one module.

    prices = compute_bid_prices(network, forecasts, stock, capacity)
    plan = route_priced(router, order, prices, stock={...}, capacity_left=capacity)
"""

from dom.pricing.prices import DEFAULT_PASSES, BidPrices, compute_bid_prices
from dom.pricing.routing import PricedRoute, reroute_priced, route_priced

__all__ = [
    "DEFAULT_PASSES",
    "BidPrices",
    "PricedRoute",
    "compute_bid_prices",
    "reroute_priced",
    "route_priced",
]
