"""settings.toml's sync tables: [store], [[instances]], [writeback], [schedule] — defaults,
every key documented, secrets refused with where they go, and errors that name the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from connectors.config import InstanceConfig
from kpi_engine.config import KpiConfig
from sync.settings import Settings, SettingsError, load_settings
from sync.settings_tables import ScheduleSettings, StoreSettings, WorkersSettings
from sync.writeback.targets import FieldTarget, SnapshotTarget, WritebackSettings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "settings.example.toml"
SALESFORCE = """
[[instances]]
name = "acme-sf"
crm = "salesforce"
url = "https://login.salesforce.com"
auth = "client_credentials"
client_id_env = "ACME_SF_CLIENT_ID"
client_secret_env = "ACME_SF_CLIENT_SECRET"
"""


def load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    return load_settings(path)


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(SettingsError) as caught:
        load(tmp_path, text)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'settings.toml'}: ")
    return message.split(": ", 1)[1]


def test_the_example_loads_and_shows_the_defaults() -> None:
    settings = load_settings(EXAMPLE)
    defaults = Settings()
    assert [i.name for i in settings.instances] == ["acme-sf", "acme-hs"]
    assert settings.writeback == defaults.writeback
    assert settings.schedule == defaults.schedule
    assert settings.store == defaults.store
    assert settings.kpis == defaults.kpis
    assert settings.workers == defaults.workers
    assert defaults.instances == ()
    assert defaults.store.url == "sqlite:///crm-kpi.db"


MODELS: list[type[BaseModel]] = [
    KpiConfig,
    StoreSettings,
    InstanceConfig,
    WritebackSettings,
    SnapshotTarget,
    FieldTarget,
    ScheduleSettings,
    WorkersSettings,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_key_is_documented_in_the_example_and_in_docs(model: type[BaseModel]) -> None:
    example = EXAMPLE.read_text()
    docs = (ROOT / "docs" / "settings.md").read_text()
    for key in model.model_fields:
        assert re.search(rf"^\s*#?\s*(\[\[?[\w.]*\.)?{key}(\]\]?)?\s*(=|#|$)", example, re.M), (
            f"{key} not in the example"
        )
        assert f"`{key}`" in docs, f"{key} not in docs/settings.md"


@pytest.mark.parametrize(
    ("text", "key", "variable"),
    [
        (SALESFORCE + 'client_secret = "s3cr3t"\n', "instances[0].client_secret", "ACME_SF_CLIENT_SECRET"),
        (SALESFORCE + 'password = "hunter2"\n', "instances[0].password", "ACME_SF_PASSWORD"),
        ('[store]\nurl = "sqlite:///x.db"\napi_key = "abc"\n', "store.api_key", "CRM_KPI_API_KEY"),
        ('[writeback]\naccess_token = "abc"\n', "writeback.access_token", "CRM_KPI_ACCESS_TOKEN"),
    ],
)
def test_a_secret_in_the_file_is_refused_with_where_it_goes(
    tmp_path: Path, text: str, key: str, variable: str
) -> None:
    name = key.rsplit(".", 1)[-1]
    assert error(tmp_path, text) == (
        f"{key}: secrets never go in the settings file; put the value in an environment variable "
        f'(export {variable}=...) and write its name instead: {name}_env = "{variable}"'
    )


def test_the_message_never_repeats_the_secret(tmp_path: Path) -> None:
    assert "s3cr3t" not in error(tmp_path, SALESFORCE + 'client_secret = "s3cr3t"\n')
    assert "s3cr3t" not in error(tmp_path, SALESFORCE.replace('"ACME_SF_CLIENT_SECRET"', '"s3cr3t-value!"'))


def test_a_secret_in_place_of_an_environment_variable_name_is_refused(tmp_path: Path) -> None:
    message = error(tmp_path, SALESFORCE.replace('"ACME_SF_CLIENT_SECRET"', '"8f9a:secret+value"'))
    assert message.startswith(
        "instances[0].client_secret_env (instance 'acme-sf'): this must be the NAME of an "
        "environment variable"
    )


def test_a_store_url_with_a_password_is_refused(tmp_path: Path) -> None:
    message = error(tmp_path, '[store]\nurl = "postgresql+psycopg://crm:pw@db:5432/crm"\n')
    assert message.startswith("store.url: the URL holds a password")
    assert "PGPASSWORD" in message and "pw@" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            SALESFORCE.replace('"client_credentials"', '"password"'),
            "instances[0].auth (instance 'acme-sf'): input should be",
        ),
        (
            SALESFORCE.replace('crm = "salesforce"', 'crm = "pipedrive"'),
            "instances[0].crm (instance 'acme-sf'): input should be",
        ),
        (SALESFORCE + 'colour = "blue"\n', "instances[0].colour (instance 'acme-sf'): unknown key"),
        (
            SALESFORCE.replace('"salesforce"', '"hubspot"'),
            "instances[0] (instance 'acme-sf'): auth 'client_credentials' is not a hubspot flow; "
            "use private_app | oauth_refresh",
        ),
        (SALESFORCE + SALESFORCE, "instances: the name 'acme-sf' is used twice"),
        ('[store]\nurl = "mysql://root@db/crm"\n', "store.url: the store is SQLite or PostgreSQL, not mysql"),
        ('[store]\nurl = "crm-kpi.db"\n', "store.url: 'crm-kpi.db' is not a database URL"),
        (
            '[[writeback.snapshots]]\nkpis = ["win_rat"]\n',
            "writeback.snapshots[0].kpis: unknown KPI id(s) 'win_rat'",
        ),
        (
            "[[writeback.snapshots]]\nperiods = 0\n",
            "writeback.snapshots[0].periods: input should be greater than or equal to 1",
        ),
        (
            '[[writeback.fields]]\nobject = "lead"\nkpis = ["new_leads"]\n',
            "writeback.fields[0].object: input should be",
        ),
        (
            "[writeback]\nmax_first_sync_records = -1\n",
            "writeback.max_first_sync_records: input should be greater",
        ),
        ('[schedule]\ncron = "61 * * * *"\n', "schedule.cron: '61 * * * *' is not a cron expression"),
        ('[schedule]\ncron = "hourly"\n', "schedule.cron: 'hourly' is not a cron expression"),
        (
            SALESFORCE + '[schedule.instances]\nacme-hs = "0 * * * *"\n',
            "schedule.instances: 'acme-hs' is not the name of an instance in [[instances]]",
        ),
        (
            SALESFORCE + '[schedule.instances]\nacme-sf = "every minute"\n',
            "schedule.instances: acme-sf: 'every minute'",
        ),
        ("[sync]\nfull = true\n", "sync: unknown key"),
        (
            '[workers]\nbroker_url = "amqp://crm:hunter2@mq:5672//"\n',
            "workers.broker_url: the URL holds a password, and secrets never go in the settings file",
        ),
        (
            '[workers]\nbroker_url = "redis://127.0.0.1:6379/0"\n',
            "workers.broker_url: 'redis://127.0.0.1:6379/0' is not a RabbitMQ URL",
        ),
        ("[workers]\nbusy_retry_seconds = 0\n", "workers.busy_retry_seconds: input should be greater"),
    ],
)
def test_an_error_names_the_key_and_what_is_wrong(tmp_path: Path, text: str, expected: str) -> None:
    assert error(tmp_path, text).startswith(expected)


def test_a_per_instance_cron_overrides_the_default(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        SALESFORCE + '[schedule]\ncron = "0 6 * * *"\nmisfire_grace_minutes = 30\n'
        '[schedule.instances]\nacme-sf = "*/30 * * * *"\n',
    )
    assert settings.schedule.cron_for("acme-sf") == "*/30 * * * *"
    assert settings.schedule.cron_for("other") == "0 6 * * *"
    assert settings.schedule.misfire_grace_minutes == 30


def test_snapshot_targets_written_in_the_file_replace_the_defaults(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        '[[writeback.snapshots]]\nkpis = ["win_rate"]\nscopes = ["rep"]\ngrains = ["year"]\nperiods = 2\n',
    )
    assert settings.writeback.snapshots == (
        SnapshotTarget(kpis=("win_rate",), scopes=("rep",), grains=("year",), periods=2),
    )
    assert settings.writeback.fields == WritebackSettings().fields


def test_instances_are_found_by_name(tmp_path: Path) -> None:
    settings = load(tmp_path, SALESFORCE)
    assert settings.instance("acme-sf").crm == "salesforce"
    with pytest.raises(KeyError, match="no instance named 'acme' \\(known: acme-sf\\)"):
        settings.instance("acme")


def test_the_broker_password_comes_from_the_environment_and_never_from_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "hunter2" not in error(tmp_path, '[workers]\nbroker_url = "amqp://crm:hunter2@mq:5672//"\n')
    settings = load(
        tmp_path, '[workers]\nbroker_url = "amqp://crm@mq:5672/kpis"\nbroker_password_env = "MQ_PASSWORD"\n'
    )
    monkeypatch.setenv("MQ_PASSWORD", "s3cr/t")
    assert settings.workers.broker() == "amqp://crm:s3cr%2Ft@mq:5672/kpis"
    monkeypatch.delenv("MQ_PASSWORD")
    with pytest.raises(ValueError, match="environment variable MQ_PASSWORD is not set"):
        settings.workers.broker()
