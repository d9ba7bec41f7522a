"""One CRM instance's settings: the `[[instances]]` table of settings.toml (DESIGN.md, Settings contract).

The model lives here, not in `sync`, because connectors are built from it and must not depend on `sync`;
`sync.settings` embeds it. Secrets are never values of this model: only the names of the environment
variables that hold them, read at connect time by `secret()`, so they never reach a log or a message.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.errors import ConfigurationError

CrmKind = Literal["salesforce", "hubspot"]
AuthFlow = Literal["client_credentials", "jwt_bearer", "refresh_token", "private_app", "oauth_refresh"]

AUTH_FLOWS: dict[str, tuple[str, ...]] = {
    "salesforce": ("client_credentials", "jwt_bearer", "refresh_token"),
    "hubspot": ("private_app", "oauth_refresh"),
}
# Which *_env keys each flow needs.
REQUIRED_SECRETS: dict[str, tuple[str, ...]] = {
    "client_credentials": ("client_id_env", "client_secret_env"),
    "jwt_bearer": ("client_id_env",),
    "refresh_token": ("client_id_env", "client_secret_env", "refresh_token_env"),
    "private_app": ("token_env",),
    "oauth_refresh": ("client_id_env", "client_secret_env", "refresh_token_env"),
}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class InstanceConfig(BaseModel):
    """A Salesforce org or HubSpot portal to sync."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    """The instance id: store keys, `--instance`, the org scope_id."""
    crm: CrmKind
    url: str
    """Salesforce: where OAuth tokens are requested (login, My Domain or a sandbox's base_url).
    HubSpot: the API host."""
    auth: AuthFlow
    client_id_env: str | None = None
    client_secret_env: str | None = None
    refresh_token_env: str | None = None
    token_env: str | None = None
    username: str | None = None
    """Salesforce jwt_bearer: the integration user's username."""
    private_key_file: Path | None = None
    ca_file: Path | None = None
    """Trust this CA as well (a sandbox); never turns verification off."""
    reporting_currency: str = "USD"
    api_budget_share: float = Field(default=0.5, gt=0, le=1)
    """Stop cleanly once this share of the CRM's daily API allocation is used (other tools need the rest)."""
    lookback_seconds: int = Field(default=300, ge=0)
    """Incremental reads start this far before the saved cursor, for rows committed late."""
    field_mapping: dict[str, str] = Field(default_factory=dict)
    """Schema field → CRM field for values kept in custom fields, e.g.
    `"opportunity.contract_months" = "Contract_Months__c"`, `"user.started_at" = "Start_Date__c"`."""
    excluded_profiles: tuple[str, ...] = ("System Administrator", "Integration User", "API Only")
    """Salesforce profiles whose users are not reps (automation, integrations)."""
    user_fields: bool = False
    """Write per-rep KPI fields on the Salesforce User record (needs "Manage Users")."""
    page_size: int | None = Field(default=None, ge=1)
    """Override the CRM's page size (Salesforce 200..2,000, HubSpot ≤ 100 lists / ≤ 200 search)."""
    bulk_threshold: int | None = Field(default=10_000, ge=0)
    """Salesforce: a read of more rows than this goes on through a Bulk API 2.0 query job after its first
    REST page (falling back to REST if the job fails); None: REST only."""

    @field_validator("client_id_env", "client_secret_env", "refresh_token_env", "token_env")
    @classmethod
    def _an_env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError(
                "this must be the NAME of an environment variable that holds the secret, not the secret "
                "itself; put the secret in the environment (e.g. export ACME_SECRET=...) and write its "
                "name here"
            )
        return value

    @model_validator(mode="after")
    def _flow_fits_crm(self) -> InstanceConfig:
        if self.auth not in AUTH_FLOWS[self.crm]:
            allowed = " | ".join(AUTH_FLOWS[self.crm])
            raise ValueError(f"auth {self.auth!r} is not a {self.crm} flow; use {allowed}")
        missing = [key for key in REQUIRED_SECRETS[self.auth] if getattr(self, key) is None]
        if self.auth == "jwt_bearer" and (self.username is None or self.private_key_file is None):
            missing += [key for key in ("username", "private_key_file") if getattr(self, key) is None]
        if missing:
            raise ValueError(f"auth {self.auth!r} needs {', '.join(missing)}")
        return self

    def secret(self, key: str) -> str:
        """The value of the environment variable that setting `key` names; never logged."""
        env_name = getattr(self, key)
        if env_name is None:
            raise ConfigurationError(f"instance {self.name!r}: {key} is not set in the settings")
        value = os.environ.get(env_name)
        if not value:
            raise ConfigurationError(
                f"instance {self.name!r}: environment variable {env_name} (named by {key}) is not set"
            )
        return value

    def verify(self) -> str | bool:
        """What requests/urllib3 verify against: the CA file when given (it must exist), else the system's."""
        if self.ca_file is None:
            return True
        if not self.ca_file.is_file():
            raise ConfigurationError(f"instance {self.name!r}: ca_file {self.ca_file} does not exist")
        return str(self.ca_file)
