"""escalon's configuration: one pydantic-settings model read from `ESCALON_*` variables.

Every field is documented in docs/operations.md (a test checks it), so an operator never has to
read code to learn what can be set.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Settings of the service, the worker and the CLI; each field is `ESCALON_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="ESCALON_", extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite:///escalon.db",
        description="SQLAlchemy URL: sqlite:///PATH or postgresql+psycopg://USER@HOST/DB.",
    )
    db_pool_size: int = Field(
        default=10, ge=1, description="Connections kept per process (PostgreSQL)."
    )
    sqlite_busy_timeout_ms: int = Field(
        default=10_000, ge=0, description="How long a SQLite writer waits for the lock."
    )
    policy_path: Path | None = Field(
        default=None,
        description="Policy file installed as the first version when the database has none.",
    )
    host: str = Field(default="127.0.0.1", description="Address `escalon serve` binds to.")
    port: int = Field(default=8080, ge=0, le=65535, description="Port `escalon serve` binds to.")
    api_processes: int = Field(
        default=1, ge=1, description="uvicorn worker processes for `escalon serve`."
    )
    ingest_group_max: int = Field(
        default=256,
        ge=1,
        description="Most single-event requests one group commit writes in one transaction "
        "(1: each request in its own).",
    )
    max_batch_events: int = Field(
        default=10_000, ge=1, description="Largest number of events one batch request may carry."
    )
    worker_poll_seconds: float = Field(
        default=0.25,
        gt=0,
        description="How often an idle worker re-reads the earliest wake-up.",
    )
    worker_batch_size: int = Field(
        default=200, ge=1, description="Tickets a worker claims and fires in one transaction."
    )
    worker_dispatch: bool = Field(
        default=True,
        description="Whether `escalon worker` also delivers the outbox (false when "
        "`escalon notify run` delivers in its own process).",
    )
    late_after_seconds: float = Field(
        default=60.0,
        ge=0,
        description="A decision fired more than this after its due instant is marked late.",
    )
    ticket_url: str | None = Field(
        default=None,
        description="Link to a ticket in the helpdesk for notifications, with `{ticket}`.",
    )
    log_level: str = Field(default="info", description="Log level of the service and worker.")
    zendesk_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Signing secret of the Zendesk webhook; with `zendesk_mapping`, enables "
        "POST /api/v1/webhooks/zendesk.",
    )
    zendesk_mapping: Path | None = Field(
        default=None, description="Import mapping (YAML) applied to Zendesk webhook events."
    )
    jira_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Secret of the Jira webhook (X-Hub-Signature); with `jira_mapping`, enables "
        "POST /api/v1/webhooks/jira.",
    )
    jira_mapping: Path | None = Field(
        default=None, description="Import mapping (YAML) applied to Jira webhook events."
    )

    @model_validator(mode="after")
    def _webhooks_come_in_pairs(self) -> Settings:
        """Half a webhook configuration is a mistake to report at start, not a silent 404."""
        for vendor in ("zendesk", "jira"):
            secret = getattr(self, f"{vendor}_webhook_secret")
            mapping = getattr(self, f"{vendor}_mapping")
            if (secret is None) != (mapping is None):
                missing = f"{vendor}_mapping" if mapping is None else f"{vendor}_webhook_secret"
                raise ValueError(
                    f"{missing}: required when the other {vendor} webhook setting is set"
                )
        return self


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit values (e.g. `--db`) taking precedence."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
