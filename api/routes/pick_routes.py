"""``POST /v1/pick-routes``: a picking walk through a warehouse (contracts §5)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter

from api.deps import PlanCaller, ServicesDep
from api.errors import ApiError
from api.schemas import PickRouteIn, PickRouteOut, error_responses
from dom.errors import InvalidInput
from warehouse_graph import Layout, load_layout, pick_route

router = APIRouter(prefix="/v1", tags=["pick-routes"])

_WAREHOUSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
# An inline layout is built per request; bound its size so one request cannot take the server.
MAX_INLINE_LOCATIONS = 50_000


def _stored_layout(services: ServicesDep, warehouse_id: str) -> Layout:
    cached = services.layouts.get(warehouse_id)
    if isinstance(cached, Layout):
        return cached
    folder = services.settings.warehouse_dir
    path = None if folder is None else folder / warehouse_id / "layout.json"
    if path is None or not _WAREHOUSE_ID.match(warehouse_id) or not path.is_file():
        raise ApiError(
            404, "not_found", f"no layout for warehouse '{warehouse_id}'", field="warehouse_id"
        )
    layout = load_layout(path)
    services.layouts[warehouse_id] = layout
    return layout


def _inline_layout(spec: dict[str, Any]) -> Layout:
    dims = [spec.get(k) for k in ("aisles", "blocks", "slots_per_block")]
    if all(isinstance(d, int) for d in dims):
        size = dims[0] * dims[1] * dims[2]  # type: ignore[operator]
        if size > MAX_INLINE_LOCATIONS:
            raise ApiError(
                422,
                "invalid_input",
                f"layout has {size} locations; inline layouts may have at most "
                f"{MAX_INLINE_LOCATIONS} (store it under DOM_WAREHOUSE_DIR instead)",
                field="layout",
            )
    nodes = spec.get("nodes")
    if isinstance(nodes, list) and len(nodes) > MAX_INLINE_LOCATIONS:
        raise ApiError(
            422,
            "invalid_input",
            "layout graph too large for an inline layout",
            field="layout.nodes",
        )
    try:
        return load_layout(spec)
    except InvalidInput as exc:
        exc.column = "layout" + (f".{exc.column}" if exc.column else "")
        raise


@router.post(
    "/pick-routes", response_model=PickRouteOut, responses=error_responses(401, 403, 404, 413, 422)
)
def post_pick_route(request: PickRouteIn, services: ServicesDep, _: PlanCaller) -> dict[str, Any]:
    """The walk from the depot through ``locations`` and back, by ``method`` (default best)."""
    if (request.layout is None) == (request.warehouse_id is None):
        raise ApiError(
            422, "invalid_input", "give exactly one of layout and warehouse_id", field="layout"
        )
    if request.layout is not None:
        layout = _inline_layout(request.layout)
    else:
        assert request.warehouse_id is not None
        layout = _stored_layout(services, request.warehouse_id)
    walk = pick_route(
        layout,
        request.locations,
        request.method,
        time_limit=services.settings.pick_time_limit_seconds,
    )
    return walk.to_json()
