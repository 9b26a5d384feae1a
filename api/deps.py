"""What handlers receive, as ``Annotated`` dependencies: the shared services and the caller.

Authentication (contracts §6): ``X-API-Key`` must name a key of ``DOM_API_KEYS`` (401 if missing
or unknown) whose scopes include the router's (403 otherwise; ``admin`` may call everything).
Without configured keys only loopback clients are served. Keys are compared in constant time and
never logged; a caller is known downstream only by a short hash of its key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from api.errors import ApiError
from api.jobs import JobQueue
from api.metrics import Metrics
from api.settings import Settings
from dom.inventory import InventoryStore
from dom.model import Network
from dom.orders import Oms
from dom.sourcing import Router

_api_key = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="a key of DOM_API_KEYS with the scope"
)


@dataclass
class Services:
    """Everything the handlers share; built once by ``create_app`` and kept on ``app.state``."""

    settings: Settings
    network: Network
    store: InventoryStore
    jobs: JobQueue
    metrics: Metrics
    keys: dict[str, frozenset[str]] | None  # None: no keys configured, loopback only
    router: Router  # the single-order kernel with the network's cost tables, built once
    layouts: dict[str, object] = field(default_factory=dict)  # warehouse_id -> Layout
    oms: Oms | None = None  # the order lifecycle over the order store and this ledger


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: ``tag`` is a short hash of its key ("local" without keys)."""

    tag: str
    scopes: frozenset[str]


async def get_services(request: Request) -> Services:
    """The app's services (async: a plain function would cost a thread hop per request)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


@functools.lru_cache(maxsize=1024)  # parsing the address costs more than the rest of auth
def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _caller(request: Request, key: str | None) -> Caller:
    keys: dict[str, frozenset[str]] | None = request.app.state.services.keys
    if keys is None:
        client = request.client.host if request.client else None
        if not _is_loopback(client):
            raise ApiError(
                403,
                "forbidden",
                "no API keys are configured (DOM_API_KEYS): only loopback clients are served",
            )
        return Caller("local", frozenset({"admin"}))
    if not key:
        raise ApiError(
            401,
            "unauthorized",
            "missing X-API-Key header",
            field="X-API-Key",
            headers={"WWW-Authenticate": "ApiKey"},
        )
    given = key.encode()
    for known, scopes in keys.items():
        if hmac.compare_digest(given, known.encode()):
            return Caller(hashlib.sha256(given).hexdigest()[:16], scopes)
    raise ApiError(
        401,
        "unauthorized",
        "unknown API key",
        field="X-API-Key",
        headers={"WWW-Authenticate": "ApiKey"},
    )


def authorize(request: Request, scope: str) -> Caller:
    """The caller of ``request`` if its key has ``scope`` (or ``admin``); 401/403 otherwise."""
    caller = _caller(request, request.headers.get("x-api-key"))
    if scope not in caller.scopes and "admin" not in caller.scopes:
        raise ApiError(403, "forbidden", f"this API key lacks the '{scope}' scope")
    return caller


def require(scope: str) -> object:
    """A dependency admitting callers whose key has ``scope`` (or ``admin``); the ``Security``
    parameter puts the key into the OpenAPI document."""

    async def check(
        request: Request, key: Annotated[str | None, Security(_api_key)] = None
    ) -> Caller:
        return authorize(request, scope)

    return Depends(check)


async def local_or_keyed(request: Request) -> None:
    """Health and metrics need no key, but without keys they too answer loopback only."""
    if request.app.state.services.keys is None:
        _caller(request, None)


RouteCaller = Annotated[Caller, require("route")]
PlanCaller = Annotated[Caller, require("plan")]
AdminCaller = Annotated[Caller, require("admin")]
OrdersCaller = Annotated[Caller, require("orders")]
WarehouseCaller = Annotated[Caller, require("warehouse")]
CarrierCaller = Annotated[Caller, require("carrier")]
EventsCaller = Annotated[Caller, require("events")]


def oms_of(services: Services) -> Oms:
    """The order system (built by ``create_app``)."""
    assert services.oms is not None, "create_app builds the order system"
    return services.oms
