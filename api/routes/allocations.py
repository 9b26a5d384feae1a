"""``/v1/allocations``: batch allocation jobs (JSON orders or a CSV/Parquet upload), their
status and their plan files (contracts §4)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from api.deps import PlanCaller, ServicesDep
from api.errors import ApiError
from api.jobs import AllocationSpec, JobRecord, JobSpec, PendingSpec
from api.routing import iso_time
from api.schemas import AllocationRequest, JobAccepted, JobStatus, error_responses
from dom.allocation import METHODS
from dom.errors import InvalidInput
from dom.io import load_orders, orders_from_json
from dom.model import Network, Orders

router = APIRouter(prefix="/v1/allocations", tags=["allocations"])

_UPLOAD_SUFFIXES = (".csv", ".parquet", ".pq")


@dataclass(frozen=True)
class _Batch:
    """A request body, read but not yet validated against the network."""

    orders_json: list[dict[str, Any]] | None
    upload_name: str | None
    upload: bytes | None
    method: str
    time_limit: float | None
    work_limit: int | None
    pending: bool = False


def _form_work_limit(value: object) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise ApiError(
            422, "invalid_input", "work_limit must be a whole number above 0", field="work_limit"
        )
    return int(text)


def _form_number(value: object, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value))
    except ValueError:
        number = float("nan")
    if not number > 0 or number == float("inf"):
        raise ApiError(
            422, "invalid_input", f"{field} must be a positive number of seconds", field=field
        )
    return number


async def _read_batch(request: Request) -> _Batch:
    """Read a JSON batch or a multipart upload (``file``, optional ``method``, ``time_limit``)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise ApiError(
                    422, "invalid_input", "multipart body needs a 'file' part", field="file"
                )
            data = await upload.read()
            method = form.get("method") or "default"
            return _Batch(
                None,
                PurePath(upload.filename or "orders.csv").name,
                data,
                str(method),
                _form_number(form.get("time_limit"), "time_limit"),
                _form_work_limit(form.get("work_limit")),
            )
    if content_type not in ("application/json", ""):
        raise ApiError(
            415,
            "unsupported_media_type",
            "send application/json orders or a multipart/form-data 'file' upload",
        )
    try:
        batch = AllocationRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from None
    return _Batch(
        None if batch.orders is None else [o.model_dump(exclude_unset=True) for o in batch.orders],
        None,
        None,
        batch.method,
        batch.time_limit,
        batch.work_limit,
        batch.pending,
    )


def _orders_of_upload(name: str, data: bytes, network: Network) -> Orders:
    suffix = PurePath(name).suffix.lower()
    if suffix not in _UPLOAD_SUFFIXES:
        raise ApiError(
            422, "invalid_input", f"upload {name!r} is neither .csv nor .parquet", field="file"
        )
    with tempfile.TemporaryDirectory(prefix="dom-upload-") as tmp:
        path = Path(tmp) / ("orders" + suffix)
        path.write_bytes(data)
        try:
            return load_orders(path, network)
        except InvalidInput as exc:
            exc.file = name  # name the client's file, not the temporary copy
            raise


def _status_json(record: JobRecord) -> dict[str, Any]:
    base = f"/v1/allocations/{record.id}"
    return {
        "id": record.id,
        "status": record.status,
        "progress": record.progress,
        "message": record.message,
        "summary": record.summary,
        "error": record.error,
        "files": (
            {name: f"{base}/{name}" for name in ("shipments.csv", "lines.csv", "summary.json")}
            if record.status == "finished"
            else {}
        ),
        "created_at": None if record.created_at is None else iso_time(record.created_at),
        "finished_at": None if record.finished_at is None else iso_time(record.finished_at),
    }


_UPLOAD_SCHEMA = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "orders.csv or .parquet"},
        "method": {"type": "string", "default": "default"},
        "time_limit": {"type": "number", "exclusiveMinimum": 0},
        "work_limit": {"type": "integer", "minimum": 1},
    },
}


@router.post(
    "",
    status_code=202,
    response_model=JobAccepted,
    responses=error_responses(401, 403, 413, 415, 422, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/AllocationRequest"}},
                "multipart/form-data": {"schema": _UPLOAD_SCHEMA},
            },
        }
    },
)
def submit_allocation(
    batch: Annotated[_Batch, Depends(_read_batch)],
    services: ServicesDep,
    _: PlanCaller,
    response: Response,
) -> dict[str, Any]:
    """Queue a batch allocation (orders as contracts §2 JSON, or an orders CSV/Parquet upload, or
    ``{"pending": true}``: the order store's pending and backordered lines, applied); poll the
    returned URL for status, progress, summary and plan files."""
    settings = services.settings
    time_limit = batch.time_limit or settings.job_time_limit_seconds
    if time_limit > settings.job_max_time_limit_seconds:
        raise ApiError(
            422,
            "invalid_input",
            f"time_limit {time_limit:g} s is above the limit "
            f"{settings.job_max_time_limit_seconds:g} s",
            field="time_limit",
        )
    if batch.method not in METHODS:
        raise ApiError(
            422,
            "invalid_input",
            f"unknown method {batch.method!r}; choose one of {', '.join(METHODS)}",
            field="method",
        )
    spec: JobSpec
    if batch.pending:
        spec, source = PendingSpec(float(time_limit), batch.work_limit), "pending"
    else:
        if batch.orders_json is not None:
            orders = orders_from_json(batch.orders_json, services.network)
            source = "json"
        else:
            assert batch.upload_name is not None and batch.upload is not None
            orders = _orders_of_upload(batch.upload_name, batch.upload, services.network)
            source = "upload"
        spec = AllocationSpec(
            str(settings.network_dir), orders, batch.method, float(time_limit), batch.work_limit
        )
    job_id = services.jobs.submit(spec)
    services.metrics.jobs.labels(source).inc()
    url = f"/v1/allocations/{job_id}"
    response.headers["Location"] = url
    return {"id": job_id, "status": "queued", "url": url}


@router.get("/{job_id}", response_model=JobStatus, responses=error_responses(401, 403, 404, 503))
def allocation_status(job_id: str, services: ServicesDep, _: PlanCaller) -> dict[str, Any]:
    """Status (queued, running, finished, failed), progress, summary and plan file links."""
    return _status_json(services.jobs.status(job_id))


@router.get(
    "/{job_id}/{name}",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}, "application/json": {}}, "description": "plan file"},
        **error_responses(401, 403, 404, 409, 503),
    },
)
def allocation_file(
    job_id: str,
    name: Literal["shipments.csv", "lines.csv", "summary.json"],
    services: ServicesDep,
    _: PlanCaller,
) -> Response:
    """A plan file of a finished job (contracts §4); 409 while the job is not finished."""
    data = services.jobs.plan_file(job_id, name)
    media = "application/json" if name.endswith(".json") else "text/csv"
    return Response(data, media_type=media)
