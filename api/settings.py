"""The service's one settings object, read from ``DOM_*`` environment variables (contracts §6).

``DOM_API_KEYS`` is ``KEY:scope,scope;KEY2:scope`` with scopes ``route``, ``plan``, ``orders``,
``warehouse``, ``carrier``, ``events`` and ``admin`` (admin may call everything). The keys are
kept as secrets: they never appear in a repr or a log.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dom.errors import InvalidInput

SCOPES = ("route", "plan", "orders", "warehouse", "carrier", "events", "admin")


class Settings(BaseSettings):
    """Everything the app, ``dom serve`` and ``dom worker`` can be told from outside."""

    model_config = SettingsConfigDict(env_prefix="DOM_", extra="ignore", frozen=True)

    network_dir: Path = Field(description="network bundle folder (contracts §1)")
    redis_url: str | None = Field(
        default=None, description="shared ledger and job queue; unset: in memory, in-process jobs"
    )
    api_keys: SecretStr | None = Field(
        default=None, description="KEY:scope,scope;KEY2:scope; unset: loopback clients only"
    )
    warehouse_dir: Path | None = Field(
        default=None, description="folder of <warehouse_id>/layout.json for POST /v1/pick-routes"
    )
    ledger_prefix: str = Field(
        default="dom:{ledger}:", description="Redis key prefix of the ledger"
    )
    reservation_ttl_seconds: float = Field(default=900.0, gt=0, description="hold lifetime")
    idempotency_ttl_seconds: float = Field(default=86400.0, gt=0)
    max_resolves: int = Field(default=3, ge=0, description="re-solves after a lost race")
    job_result_ttl_seconds: int = Field(default=86400, gt=0, description="how long plans are kept")
    job_time_limit_seconds: float = Field(default=60.0, gt=0, description="default solve limit")
    job_max_time_limit_seconds: float = Field(default=3600.0, gt=0)
    job_queue: str = Field(default="dom-allocations", description="RQ queue name")
    job_retries: int = Field(default=2, ge=0, description="reruns of a job whose worker died")
    max_body_bytes: int = Field(default=1 << 20, gt=0, description="limit of a JSON request")
    max_upload_bytes: int = Field(default=64 << 20, gt=0, description="limit of a batch upload")
    pick_time_limit_seconds: float = Field(default=2.0, gt=0)
    threads: int = Field(default=4, ge=1, description="threads running CPU-bound handlers")
    gil_switch_ms: float = Field(default=0.5, gt=0, description="Python's GIL switch interval")
    sweep_interval_seconds: float = Field(default=5.0, gt=0, description="expired-hold sweeps")
    data_dir: Path = Field(default=Path("var"), description="the embedded order store's folder")
    database_url: str | None = Field(
        default=None, description="order store (postgresql+psycopg://...); unset: SQLite"
    )
    reconcile_interval_seconds: float = Field(
        default=5.0, gt=0, description="ledger outbox repairs and backorder wake-ups"
    )
    carrier: str = Field(default="DOMX", min_length=1, description="carrier of a shipment")
    webhook_hosts: str = Field(
        default="127.0.0.1,localhost", description="hosts webhook URLs may name (comma-separated)"
    )
    webhook_retry_base_seconds: float = Field(default=30.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("api_keys")
    @classmethod
    def _keys_parse(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_api_keys(value.get_secret_value())
        return value

    def allowed_webhook_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.webhook_hosts.split(",") if h.strip())

    def key_scopes(self) -> dict[str, frozenset[str]] | None:
        """API key -> its scopes, or None when no keys are configured."""
        if self.api_keys is None or not self.api_keys.get_secret_value().strip():
            return None
        return parse_api_keys(self.api_keys.get_secret_value())


def parse_api_keys(text: str) -> dict[str, frozenset[str]]:
    """Parse ``KEY:scope,scope;KEY2:scope``; an error names the entry by position, not the key."""
    out: dict[str, frozenset[str]] = {}
    for i, entry in enumerate(e.strip() for e in text.split(";")):
        if not entry:
            continue
        key, sep, scopes = entry.partition(":")
        names = frozenset(s.strip() for s in scopes.split(",") if s.strip())
        bad = sorted(names - set(SCOPES))
        if not sep or not key.strip() or not names or bad:
            raise InvalidInput(
                f"DOM_API_KEYS entry {i + 1} is not KEY:scope,scope"
                + (f" (unknown scope {bad[0]!r})" if bad else ""),
                column="DOM_API_KEYS",
                fix=f"write KEY:scope,scope;KEY2:scope with scopes from {', '.join(SCOPES)}",
            )
        out[key.strip()] = names
    return out
