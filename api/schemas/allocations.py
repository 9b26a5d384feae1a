"""Batch allocation jobs: the JSON request and the job's status."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from api.schemas.orders import ORDER_EXAMPLE, OrderIn

JobState = Literal["queued", "running", "finished", "failed"]


class AllocationRequest(BaseModel):
    """A batch as JSON (or upload a CSV/Parquet ``file`` as multipart/form-data instead)."""

    model_config = {"json_schema_extra": {"examples": [{"orders": [ORDER_EXAMPLE]}]}}

    orders: list[OrderIn] | None = Field(default=None, min_length=1)
    pending: bool = Field(
        default=False,
        description="true (and no orders): every pending and backordered line of the order "
        "store, allocated against live stock and applied (contracts §7)",
    )
    method: str = Field(default="default", examples=["default"])
    time_limit: float | None = Field(default=None, gt=0, description="seconds; server default")
    work_limit: int | None = Field(
        default=None,
        gt=0,
        description="single-order solves; when given the search stops on work done, not on the "
        "clock, so a retried job reproduces its plan (time_limit stays a cap)",
    )

    @model_validator(mode="after")
    def _orders_or_pending(self) -> AllocationRequest:
        if (self.orders is None) == (not self.pending):
            raise ValueError('give "orders", or "pending": true, but not both')
        return self


class JobAccepted(BaseModel):
    id: str
    status: JobState
    url: str


class JobStatus(BaseModel):
    """Status, progress, summary (contracts §4 ``summary.json``) and plan file links."""

    id: str
    status: JobState
    progress: float = Field(ge=0, le=1)
    message: str = ""
    summary: dict[str, Any] | None = None
    error: str | None = None
    files: dict[str, str] = Field(default_factory=dict)
    created_at: str | None = None
    finished_at: str | None = None
