"""`install` as a library call: what each instance needs created, and creating it (idempotently).

What install creates follows from the write-back targets of the settings: the KPI fields they name on
each object, and the snapshot object. A second install finds everything and creates nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from connectors.base import FieldObject, InstallPlan, InstallSpec
from connectors.config import InstanceConfig
from connectors.errors import ConnectorError
from sync.connections import open_connector
from sync.settings import Settings


def install_spec(settings: Settings, instance: InstanceConfig) -> InstallSpec:
    fields: dict[FieldObject, list[str]] = {}
    for target in settings.writeback.fields:
        if target.object == "user" and not (instance.user_fields and instance.crm == "salesforce"):
            continue
        kpis = fields.setdefault(target.object, [])
        kpis.extend(kpi for kpi in target.kpis if kpi not in kpis)
    return InstallSpec(
        fields={obj: tuple(kpis) for obj, kpis in fields.items()},
        snapshots=bool(settings.writeback.snapshots),
    )


@dataclass(frozen=True)
class InstallOutcome:
    instance: str
    before: InstallPlan | None
    """What existed and what was missing when install looked."""
    after: InstallPlan | None
    """The state after creating (None for a dry run or a failure)."""
    error: str | None = None

    @property
    def created(self) -> int:
        if self.before is None or self.after is None:
            return 0
        return len(self.before.to_create) - len(self.after.to_create)


def install_instance(settings: Settings, instance: InstanceConfig, *, dry_run: bool) -> InstallOutcome:
    try:
        connector = open_connector(instance)
    except ConnectorError as error:
        return InstallOutcome(instance.name, None, None, str(error))
    try:
        before = connector.install_plan(install_spec(settings, instance))
        if dry_run or not before.to_create:
            return InstallOutcome(instance.name, before, None if dry_run else before)
        return InstallOutcome(instance.name, before, connector.install(before))
    except ConnectorError as error:
        return InstallOutcome(instance.name, None, None, str(error))
    finally:
        connector.close()


def install_instances(
    settings: Settings, instances: Sequence[InstanceConfig], *, dry_run: bool
) -> list[InstallOutcome]:
    return [install_instance(settings, instance, dry_run=dry_run) for instance in instances]
