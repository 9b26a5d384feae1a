"""The routing service: a FastAPI app over the inventory ledger and the solvers.

``create_app(settings)`` builds it (``dom serve`` runs it on uvicorn); ``Settings`` reads the
``DOM_*`` environment.
"""

from api.app import create_app
from api.settings import Settings

__all__ = ["Settings", "create_app"]
