"""KPIS.md section: Activities (by `occurred_at`; the `completed` rule is applied in the fact)."""

from __future__ import annotations

import polars as pl

from kpi_engine.catalog.model import AnyKpi, DerivedKpi, Kpi, Quotient, Terms
from kpi_engine.measures import Count, Ratio, Total

kind, completed = pl.col("kind"), pl.col("completed")
call, sent = kind == "call", pl.col("is_sent_email")
FACT = "activities"
ACT = ("activities",)
REP_TEAM_ORG = ("org", "team", "rep")


def _selling_time_share(t: Terms) -> Quotient:
    weeks = t.days / 7
    available_hours = t.config.working_hours_per_week * weeks * t.value("reps_active")
    return Quotient(t.value("selling_seconds") / 3600, available_hours)


KPIS: list[AnyKpi] = [
    Kpi("activities", "Activities", "count", "completed activities of every kind but notes", "A; D",
        fact=FACT, inputs=ACT, measure=Count(completed & (kind != "note"))),
    Kpi("calls", "Calls", "count", "calls", "A; D", fact=FACT, inputs=ACT, measure=Count(call)),
    Kpi("emails_sent", "Emails sent", "count", "emails with direction outbound or unknown", "A; D",
        fact=FACT, inputs=ACT, measure=Count(sent)),
    Kpi("meetings", "Meetings", "count", "completed meetings", "A; D",
        fact=FACT, inputs=ACT, measure=Count((kind == "meeting") & completed)),
    Kpi("demos", "Demos", "count",
        "completed meetings whose subtype is one of the configured demo subtypes", "A",
        fact=FACT, inputs=ACT, measure=Count(pl.col("is_demo"))),
    Kpi("tasks_completed", "Tasks completed", "count", "completed tasks", "D",
        fact=FACT, inputs=ACT, measure=Count((kind == "task") & completed)),
    Kpi("call_connect_rate", "Call connect rate", "ratio",
        "calls with outcome connected / calls with a known outcome",
        "D answered", fact=FACT, inputs=ACT,
        measure=Ratio(Count(call & (pl.col("outcome") == "connected")),
                      Count(call & pl.col("outcome").is_not_null()))),
    Kpi("talk_time_hours", "Talk time (hours)", "hours", "Σ call duration / 3600", "D time on calls",
        fact=FACT, inputs=ACT, measure=Total(pl.col("duration_seconds") / 3600, call)),
    Kpi("email_open_rate", "Email open rate", "ratio",
        "sent emails opened / sent emails whose opening is tracked",
        "D emails opened", fact=FACT, inputs=ACT,
        measure=Ratio(Count(sent & pl.col("opened")), Count(sent & pl.col("opened").is_not_null()))),
    DerivedKpi("activities_per_won_deal", "Activities per won deal", "ratio", "activities / deals_won",
               "C productivity", needs=("activities", "deals_won"), inputs=("activities", "opportunities"),
               formula=lambda t: Quotient(t.value("activities"), t.value("deals_won")), percent=False),
    Kpi("selling_seconds", "Selling time (seconds)", "count", "Σ durations of calls and held meetings", "E",
        fact=FACT, inputs=ACT, scopes=REP_TEAM_ORG, hidden=True,
        measure=Total(pl.col("duration_seconds"), (call | (kind == "meeting")) & completed)),
    DerivedKpi("selling_time_share", "Selling time share", "ratio",
               "(Σ call + meeting durations) / (working hours per week × weeks in period × reps active)",
               "E selling time", needs=("selling_seconds", "reps_active"), inputs=("activities", "users"),
               scopes=REP_TEAM_ORG, formula=_selling_time_share),
]
