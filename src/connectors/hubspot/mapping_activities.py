"""Pure mappers for engagements (calls, emails, meetings, tasks, notes) → `Activity`.

Each engagement type keeps its facts in its own properties; one small function per type reads them and
`activity` adds what they share (owner, time, associations to deal, company and contact).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.hubspot.context import MappingContext
from connectors.hubspot.mapping import base, first, props
from connectors.hubspot.values import ident, instant, number, text
from kpi_engine.schema import Activity

# HubSpot's built-in call dispositions (the GUIDs every portal has) → Activity.outcome.
CALL_OUTCOMES = {
    "f240bbac-87c9-4f6e-bf70-924b57d47db7": "connected",
    "73a0d17f-1163-4015-bdd5-ec830791da20": "no_answer",
    "b2cf5968-551e-4856-9783-52b3da59a7d0": "voicemail",
    "9d9162e7-6cf3-4944-bf63-4dff82258764": "busy",
    "a4c4c377-d246-4b32-a13b-75a56a4cd0ff": "other",  # left live message
    "17b47fee-58de-441e-a44c-c6300d46f273": "other",  # wrong number
}
DIRECTIONS = {
    "OUTBOUND": "outbound",
    "INBOUND": "inbound",
    "EMAIL": "outbound",
    "INCOMING_EMAIL": "inbound",
    "FORWARDED_EMAIL": "outbound",
}
DONE_MEETING = {"COMPLETED"}
SENT_EMAIL = {"SENT"}


def _call(p: Mapping[str, Any]) -> dict[str, Any]:
    duration = number(p.get("hs_call_duration"))
    status = text(p.get("hs_call_status"))
    disposition = text(p.get("hs_call_disposition"))
    return {
        "kind": "call",
        "subtype": text(p.get("hs_activity_type")),
        "duration_seconds": duration / 1000 if duration is not None else None,
        "completed": status is None or status == "COMPLETED",
        "outcome": CALL_OUTCOMES.get(disposition, "other") if disposition else None,
        "direction": DIRECTIONS.get(text(p.get("hs_call_direction")) or ""),
    }


def _email(p: Mapping[str, Any]) -> dict[str, Any]:
    opens = number(p.get("hs_email_open_count"))
    status = text(p.get("hs_email_status"))
    return {
        "kind": "email",
        "direction": DIRECTIONS.get(text(p.get("hs_email_direction")) or ""),
        "completed": status is None or status in SENT_EMAIL,
        "opened": opens > 0 if opens is not None else None,
    }


def _meeting(p: Mapping[str, Any]) -> dict[str, Any]:
    start, end = instant(p.get("hs_meeting_start_time")), instant(p.get("hs_meeting_end_time"))
    outcome = text(p.get("hs_meeting_outcome"))
    return {
        "kind": "meeting",
        "subtype": text(p.get("hs_activity_type")),
        "duration_seconds": (end - start).total_seconds() if start and end and end >= start else None,
        "completed": outcome is None or outcome in DONE_MEETING,
    }


def _task(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": "task",
        "subtype": text(p.get("hs_task_type")),
        "completed": text(p.get("hs_task_status")) == "COMPLETED",
    }


def _note(p: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": "note"}


KINDS = {"calls": _call, "emails": _email, "meetings": _meeting, "tasks": _task, "notes": _note}


def activity(object_type: str, row: Mapping[str, Any]) -> Activity:
    p = props(row)
    occurred = (
        instant(p.get("hs_timestamp"))
        or instant(p.get("hs_meeting_start_time"))
        or instant(p.get("hs_createdate"))
        or instant(row.get("createdAt"))
    )
    return Activity.model_validate(
        dict(
            **base(row),
            **KINDS[object_type](p),
            owner_id=ident(p.get("hubspot_owner_id")),
            occurred_at=occurred,
            opportunity_id=first(row, "deals"),
            account_id=first(row, "companies"),
            lead_id=first(row, "contacts"),
        )
    )


def map_call(row: Mapping[str, Any], ctx: MappingContext) -> Activity:
    return activity("calls", row)


def map_email(row: Mapping[str, Any], ctx: MappingContext) -> Activity:
    return activity("emails", row)


def map_meeting(row: Mapping[str, Any], ctx: MappingContext) -> Activity:
    return activity("meetings", row)


def map_task(row: Mapping[str, Any], ctx: MappingContext) -> Activity:
    return activity("tasks", row)


def map_note(row: Mapping[str, Any], ctx: MappingContext) -> Activity:
    return activity("notes", row)
