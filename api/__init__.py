"""The routing service: a FastAPI app over the inventory ledger, the order store and the solvers.

``create_app(settings)`` builds it (``dom serve`` runs it on uvicorn); ``Settings`` reads the
``DOM_*`` environment. Names load on first use, so ``api.settings`` alone stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.app import create_app
    from api.settings import Settings

_WHERE = {"create_app": "api.app", "Settings": "api.settings"}

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'api' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
