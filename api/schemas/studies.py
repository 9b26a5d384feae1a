"""What-if studies as jobs (contracts §9): the answer to a submitted study and its status."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

StudyState = Literal["queued", "running", "finished", "failed"]

STUDY_EXAMPLE: dict[str, Any] = {
    "name": "close-atl",
    "demand": {"orders_per_day": 500},
    "seeds": [1, 2],
    "modes": ["online", "batch"],
    "work_limit": 200000,
    "scenarios": {"base": {}, "close-atl": {"nodes": {"FC-ATL": {"enabled": False}}}},
}


class StudyAccepted(BaseModel):
    id: str
    status: StudyState
    url: str
    runs: int = Field(description="(scenario, mode, seed) runs the study makes")


class StudyStatus(BaseModel):
    """Status and progress over runs; when finished, links to kpis.csv, summary.csv,
    frontier.csv (with a sweep), failures.csv (when a run failed) and report.html."""

    id: str
    status: StudyState
    progress: float = Field(ge=0, le=1)
    message: str = ""
    error: str | None = None
    files: dict[str, str] = Field(default_factory=dict)
    created_at: str | None = None
    finished_at: str | None = None
