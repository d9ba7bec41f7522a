"""What every command that talks to the workers checks first: the store is the shared PostgreSQL one and
the broker settings are complete. One `CliError` line (exit 2) naming the key and the fix."""

from __future__ import annotations

import sqlalchemy as sa
from celery import Celery

from sync.cli_errors import CliError
from sync.settings import Settings


def require_shared_store(settings: Settings, command: str) -> None:
    """Workers on several machines share one store: a SQLite file is one machine's, so it is refused."""
    if sa.make_url(settings.store.url).get_backend_name() != "postgresql":
        raise CliError(
            f"{command}: [store] url is a SQLite file, which only this machine can reach; workers share one "
            "store: set [store] url to PostgreSQL (postgresql+psycopg://user@host:5432/db)"
        )


def broker_app(settings: Settings, role: str) -> Celery:
    """The Celery app configured from `[workers]` (`role`: how this process's broker connection is named)."""
    from sync.workers.celery_app import configure

    try:
        return configure(settings, role=role)
    except ValueError as error:
        raise CliError(str(error)) from None
