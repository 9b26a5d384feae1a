"""``/v1/studies``: what-if studies (contracts §9) as jobs on the service's network: a study as
JSON or YAML in, 202 and a job; its status with progress over runs; its tables and report."""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request, Response

from api.deps import PlanCaller, ServicesDep
from api.errors import ApiError
from api.jobs import STUDY_FILES, StudySpec
from api.routing import iso_time
from api.schemas.common import error_responses
from api.schemas.studies import STUDY_EXAMPLE, StudyAccepted, StudyStatus
from dom.io import parse_json
from dom.studies import parse_study, read_study_document

router = APIRouter(prefix="/v1/studies", tags=["studies"])

MAX_RUN_DAYS = 5000  # (scenario, mode, seed, day) replays one study may ask of the service
_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/plain")
_MEDIA = {".csv": "text/csv", ".html": "text/html"}


@router.post(
    "",
    status_code=202,
    response_model=StudyAccepted,
    responses=error_responses(401, 403, 413, 415, 422, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}, "example": STUDY_EXAMPLE},
                "application/yaml": {"schema": {"type": "string"}},
            },
        }
    },
)
async def submit_study(
    request: Request, services: ServicesDep, _: PlanCaller, response: Response
) -> dict[str, Any]:
    """Queue a study (contracts §9, without ``network``: it runs on the service's bundle, and
    with generated ``demand`` rather than an orders file); poll the returned URL."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in (*_TYPES, ""):
        raise ApiError(415, "unsupported_media_type", "send the study as JSON or YAML")
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "invalid_input", "the study is not UTF-8 text") from None
    doc = parse_json(text) if media == "application/json" else read_study_document(text)
    try:  # a lone surrogate (\\udc00 in JSON) is no text: nothing could show it back
        json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, TypeError, ValueError):
        raise ApiError(422, "invalid_input", "the study holds text that is not Unicode") from None
    if isinstance(doc, dict) and "orders" in doc:
        raise ApiError(
            422, "invalid_input",
            "a study sent to the service draws its days: give demand: {orders_per_day: N}",
            field="orders",
        )  # fmt: skip
    settings = services.settings
    study = parse_study(doc, settings.network_dir, network=services.network)[0]
    run_days = len(study.runs()) * study.days
    if run_days > MAX_RUN_DAYS:
        raise ApiError(
            422, "invalid_input",
            f"the study replays {run_days:,} run-days; the service takes at most {MAX_RUN_DAYS:,}",
            field="seeds",
        )  # fmt: skip
    out = settings.data_dir / "studies" / uuid.uuid4().hex
    job_id = services.jobs.submit(StudySpec(study, str(out)))
    url = f"/v1/studies/{job_id}"
    response.headers["Location"] = url
    return {"id": job_id, "status": "queued", "url": url, "runs": len(study.runs())}


@router.get("/{job_id}", response_model=StudyStatus, responses=error_responses(401, 403, 404, 503))
def study_status(job_id: str, services: ServicesDep, _: PlanCaller) -> dict[str, Any]:
    """Status, progress over runs, and the study's files once finished."""
    record = services.jobs.status(job_id)
    files = {}
    if record.status == "finished":
        for name in STUDY_FILES:
            try:
                services.jobs.plan_file(job_id, name)
            except ApiError:
                continue
            files[name] = f"/v1/studies/{job_id}/{name}"
    return {
        "id": record.id,
        "status": record.status,
        "progress": record.progress,
        "message": record.message,
        "error": record.error,
        "files": files,
        "created_at": None if record.created_at is None else iso_time(record.created_at),
        "finished_at": None if record.finished_at is None else iso_time(record.finished_at),
    }


@router.get(
    "/{job_id}/{name}",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}, "text/html": {}}, "description": "a study file"},
        **error_responses(401, 403, 404, 409, 503),
    },
)
def study_file(
    job_id: str,
    name: Literal["kpis.csv", "summary.csv", "frontier.csv", "failures.csv", "report.html"],
    services: ServicesDep,
    _: PlanCaller,
) -> Response:
    """A file of a finished study; 409 while it runs."""
    data = services.jobs.plan_file(job_id, name)
    return Response(data, media_type=_MEDIA[name[name.rindex(".") :]])
