"""The settings tables of the sync itself: `[store]`, `[schedule]` (the `[writeback]` table
is `sync.writeback.targets.WritebackSettings`, `[[instances]]` is `connectors.config.InstanceConfig`)."""

from __future__ import annotations

import sqlalchemy as sa
from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sync.store.connection import DEFAULT_URL


class StoreSettings(BaseModel):
    """`[store]`: where runs keep records, cursors, the ledger and their history."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = DEFAULT_URL
    """`sqlite:///path/crm-kpi.db` (default, relative to the working directory) or
    `postgresql+psycopg://user@host:5432/db`."""

    @field_validator("url")
    @classmethod
    def _a_store_url(cls, value: str) -> str:
        try:
            url = sa.make_url(value)
        except sa.exc.ArgumentError:
            raise ValueError(
                f"{value!r} is not a database URL; use sqlite:///crm-kpi.db or postgresql+psycopg://user@host:5432/db"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"the store is SQLite or PostgreSQL, not {url.get_backend_name()}")
        if url.password is not None:
            raise ValueError(
                "the URL holds a password, and secrets never go in the settings file; leave it out of the "
                "URL "
                "and put it in the environment variable PGPASSWORD (or a ~/.pgpass file), which libpq reads"
            )
        return value


def _cron(value: str) -> str:
    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(
            f"{value!r} is not a cron expression (minute hour day month weekday): {exc}"
        ) from None
    return value


class ScheduleSettings(BaseModel):
    """`[schedule]`: when `crm-kpi schedule` runs a sync of each instance."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cron: str = "0 * * * *"
    """Five-field cron in UTC (minute hour day month weekday); the default is hourly, on the hour."""
    misfire_grace_minutes: int = Field(10, ge=1)
    """A run missed (the scheduler was down or busy) still starts if it is at most this late; missed runs
    are coalesced into one."""
    instances: dict[str, str] = Field(default_factory=dict)
    """Per-instance cron overriding `cron`: `[schedule.instances]` then `acme-sf = "*/30 * * * *"`."""

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        return _cron(value)

    @field_validator("instances")
    @classmethod
    def _valid_overrides(cls, value: dict[str, str]) -> dict[str, str]:
        for name, cron in value.items():
            try:
                _cron(cron)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        return value

    def cron_for(self, instance: str) -> str:
        return self.instances.get(instance, self.cron)
