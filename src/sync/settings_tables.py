"""The settings tables of the sync itself: `[store]`, `[schedule]` (the `[writeback]` table
is `sync.writeback.targets.WritebackSettings`, `[[instances]]` is `connectors.config.InstanceConfig`)."""

from __future__ import annotations

import os

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


RABBITMQ_LOOPBACK_GUEST = "guest:guest"
"""RabbitMQ's built-in account, refused by the broker from anywhere but loopback: not a secret."""


class WorkersSettings(BaseModel):
    """`[workers]`: `crm-kpi worker` (Celery over RabbitMQ) and the scheduler's `--enqueue`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    broker_url: str = "amqp://guest:guest@127.0.0.1:5672//"
    """The RabbitMQ broker. A password other than the loopback-only `guest` goes in the environment
    variable `broker_password_env` names, never in the URL."""
    broker_password_env: str | None = None
    """The environment variable holding the broker user's password."""
    queue: str = Field("crm-kpi", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    """The queue runs are sent to and workers consume; one queue (and one scheduler) per deployment."""
    concurrency: int = Field(1, ge=1)
    """Runs at once per worker process (each in a child process of its own)."""
    busy_retry_seconds: int = Field(60, ge=1)
    """A run whose instance another run holds is sent back to the queue to start this much later."""
    store_retry_seconds: int = Field(30, ge=1)
    """A run that lost its store connection (PostgreSQL restarted, unreachable) is tried again this much
    later, resuming where it stopped."""

    @field_validator("broker_url")
    @classmethod
    def _an_amqp_url(cls, value: str) -> str:
        try:
            url = sa.make_url(value)
        except sa.exc.ArgumentError:
            url = None
        if url is None or url.drivername not in ("amqp", "amqps", "pyamqp"):
            raise ValueError(f"{value!r} is not a RabbitMQ URL; use amqp://user@host:5672/vhost")
        if url.password is not None and f"{url.username}:{url.password}" != RABBITMQ_LOOPBACK_GUEST:
            raise ValueError(
                "the URL holds a password, and secrets never go in the settings file; leave it out of the "
                "URL and name the environment variable that holds it: broker_password_env = "
                '"CRM_KPI_BROKER_PASSWORD"'
            )
        return value

    def broker(self) -> str:
        """The broker URL with the password from `broker_password_env` (for Celery only; never logged)."""
        if self.broker_password_env is None:
            return self.broker_url
        password = os.environ.get(self.broker_password_env)
        if not password:
            raise ValueError(
                f"workers.broker_password_env: environment variable {self.broker_password_env} is not set"
            )
        return sa.make_url(self.broker_url).set(password=password).render_as_string(hide_password=False)
