"""Deal pipelines and the deal properties HubSpot derives from the stage.

A deal's `dealstage` holds a stage id; HubSpot computes `hs_is_closed`, `hs_is_closed_won`,
`hs_deal_stage_probability` and stamps `hs_v2_date_entered_<stageId>` when a deal enters a stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.hubspot.catalog import ObjectTypeDef
from sandbox.hubspot.properties import PropertyDef, iso_millis

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass
class Stage:
    id: str
    label: str
    display_order: int
    probability: float
    is_closed: bool
    is_won: bool = False

    def to_api(self, created: datetime) -> dict[str, Any]:
        # Deal stage metadata values are strings on the wire; isClosed and probability (0..1) only.
        return {"label": self.label, "displayOrder": self.display_order,
                "metadata": {"isClosed": "true" if self.is_closed else "false",
                             "probability": probability_text(self.probability)},
                "id": self.id, "createdAt": iso_millis(created), "updatedAt": iso_millis(created),
                "archived": False, "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT"}


@dataclass
class Pipeline:
    id: str
    label: str
    display_order: int
    stages: list[Stage] = field(default_factory=list)
    created_at: datetime = EPOCH

    def to_api(self) -> dict[str, Any]:
        return {"label": self.label, "displayOrder": self.display_order, "id": self.id,
                "stages": [s.to_api(self.created_at) for s in sorted(self.stages, key=lambda s: s.display_order)],
                "createdAt": iso_millis(self.created_at), "updatedAt": iso_millis(self.created_at),
                "archived": False}

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)


def probability_text(p: float) -> str:
    text = f"{p:.2f}".rstrip("0").rstrip(".")
    return text if "." in text else text + ".0"


# HubSpot's default sales pipeline: these ids exist in every portal.
DEFAULT_PIPELINE = Pipeline("default", "Sales Pipeline", 0, [
    Stage("appointmentscheduled", "Appointment Scheduled", 0, 0.2, False),
    Stage("qualifiedtobuy", "Qualified To Buy", 1, 0.4, False),
    Stage("presentationscheduled", "Presentation Scheduled", 2, 0.6, False),
    Stage("decisionmakerboughtin", "Decision Maker Bought-In", 3, 0.8, False),
    Stage("contractsent", "Contract Sent", 4, 0.9, False),
    Stage("closedwon", "Closed Won", 5, 1.0, True, True),
    Stage("closedlost", "Closed Lost", 6, 0.0, True, False),
])


class Pipelines:
    """The deal pipelines of a portal; keeps the deal property schema in step with the stages."""

    def __init__(self, deals: ObjectTypeDef, pipelines: list[Pipeline] | None = None):
        self.deals = deals
        self.by_id: dict[str, Pipeline] = {}
        for p in pipelines or [_copy(DEFAULT_PIPELINE)]:
            self.add(p)

    def add(self, pipeline: Pipeline) -> None:
        self.by_id[pipeline.id] = pipeline
        self._sync_properties()

    def replace_all(self, pipelines: list[Pipeline]) -> None:
        self.by_id.clear()
        for p in pipelines:
            self.by_id[p.id] = p
        self._sync_properties()

    def find_stage(self, stage_id: str, pipeline_id: str | None = None) -> tuple[Pipeline, Stage] | None:
        candidates = [self.by_id[pipeline_id]] if pipeline_id in self.by_id else list(self.by_id.values())
        for p in candidates:
            s = p.stage(stage_id)
            if s:
                return p, s
        return None

    def _sync_properties(self) -> None:
        props = self.deals.properties
        props["pipeline"].options = [{"label": p.label, "value": p.id, "displayOrder": p.display_order}
                                     for p in self.by_id.values()]
        props["dealstage"].options = [{"label": s.label, "value": s.id, "displayOrder": s.display_order,
                                       "description": f"{p.label}"}
                                      for p in self.by_id.values() for s in p.stages]
        for p in self.by_id.values():
            for s in p.stages:
                for prefix, label in (("hs_v2_date_entered_", "Date entered"), ("hs_v2_date_exited_", "Date exited")):
                    name = prefix + s.id
                    if name not in props:
                        props[name] = PropertyDef(name, f'{label} "{s.label} ({p.label})"', "datetime", "date",
                                                  group_name="deal_stage_calculated_properties", calculated=True)


def _copy(p: Pipeline) -> Pipeline:
    return Pipeline(p.id, p.label, p.display_order, [Stage(**vars(s)) for s in p.stages], p.created_at)
