"""KPIS.md section: Team. Reps are users; active on day d: started_at ≤ d < ended_at."""

from __future__ import annotations

import polars as pl

from kpi_engine.catalog.model import AnyKpi, Kpi
from kpi_engine.measures import Count, Mean, Ratio

REP_TEAM_ORG = ("org", "team", "rep")

KPIS: list[AnyKpi] = [
    Kpi("ramp_time_days", "Ramp time (days)", "days",
        "rep: days from started_at to the close date of the rep's first win; team/org: mean over reps whose "
        "first win closed in the period", "B ramp-up", fact="rep_ramps", measure=Mean(pl.col("ramp_days")),
        inputs=("users", "opportunities"), scopes=REP_TEAM_ORG),
    # The rep's own tenure comes once, to date (a rep who left keeps theirs); team and org come per
    # period: the mean tenure, at the period's last day (the as-of day while it runs), of the reps active
    # on that day.
    Kpi("rep_tenure_days", "Rep tenure (days)", "days",
        "rep, to_date: (ended_at or today) − started_at; team/org: mean over reps active at period end",
        "B loyalty", fact="rep_tenure", measure=Mean(pl.col("tenure_days")), inputs=("users",),
        scopes=REP_TEAM_ORG, to_date_scopes=("rep",)),
    Kpi("rep_retention_rate", "Rep retention rate", "ratio",
        "reps active at period start still active at its end / reps active at its start", "B loyalty rate",
        fact="rep_periods",
        measure=Ratio(Count(pl.col("active_at_start") & pl.col("active_at_end")),
                      Count(pl.col("active_at_start"))),
        inputs=("users",), scopes=REP_TEAM_ORG),
]
