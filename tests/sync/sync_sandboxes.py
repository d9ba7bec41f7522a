"""Both sandbox CRMs with a generated org, and settings pointing the sync at them as an admin would."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.config import InstanceConfig
from sandbox.generator import generate_org
from sandbox.runtime import RunningSandbox, Sandbox
from sandbox.salesforce.standard_objects import FIELD_MAPPING
from sync.settings import Settings
from sync.settings_tables import StoreSettings

AS_OF = dt.date(2026, 6, 30)


def instance_for(sb: RunningSandbox, name: str | None = None, **extra: Any) -> InstanceConfig:
    """Settings for `sb` with its secrets in environment variables named after its port."""
    port = sb.base_url.rsplit(":", 1)[-1]
    if sb.crm == "salesforce":
        os.environ[f"SYNC_TEST_{port}_ID"] = sb.client_id or ""
        os.environ[f"SYNC_TEST_{port}_SECRET"] = sb.client_secret or ""
        return InstanceConfig(
            name=name or "acme-sf",
            crm="salesforce",
            url=sb.base_url,
            auth="client_credentials",
            client_id_env=f"SYNC_TEST_{port}_ID",
            client_secret_env=f"SYNC_TEST_{port}_SECRET",
            ca_file=Path(sb.ca_file),
            field_mapping=FIELD_MAPPING,
            **extra,
        )
    os.environ[f"SYNC_TEST_{port}_TOKEN"] = sb.token
    return InstanceConfig(
        name=name or "acme-hs",
        crm="hubspot",
        url=sb.base_url,
        auth="private_app",
        token_env=f"SYNC_TEST_{port}_TOKEN",
        ca_file=Path(sb.ca_file),
        **extra,
    )


def settings_for(store_url: str, *instances: InstanceConfig) -> Settings:
    return Settings(store=StoreSettings(url=store_url), instances=instances)


@dataclass
class SandboxFactory:
    state_dir: Path

    @contextmanager
    def start(self, crm: str, size: str = "tiny", seed: int = 7, **options: Any) -> Iterator[RunningSandbox]:
        org = generate_org(size, seed, AS_OF, crm)
        with Sandbox(crm=crm, org=org, state_dir=self.state_dir, **options).start() as running:
            yield running


WRITE_LABELS = {"salesforce": ("collections",), "hubspot": ("batch_upsert", "batch_update")}


def write_calls(sb: RunningSandbox) -> int:
    return sum(sb.ledger.count(label) for label in WRITE_LABELS[sb.crm])
