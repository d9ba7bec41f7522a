"""KPIS.md section: Leads. Cohorts by creation period: conversion and response are as of the run."""

from __future__ import annotations

import polars as pl

from kpi_engine.catalog.model import AnyKpi, Kpi
from kpi_engine.measures import Count, Mean, Ratio

COHORTS = "lead_cohorts"
LEAD_SCOPES = ("org", "team", "rep", "region", "lead_source")
INPUTS = ("leads", "activities", "opportunities", "accounts", "users")

KPIS: list[AnyKpi] = [
    Kpi("new_leads", "New leads", "count", "leads created in the period",
        "B; E lead generation; D prospects discovered", fact=COHORTS, measure=Count(),
        inputs=INPUTS, scopes=LEAD_SCOPES),
    Kpi("leads_by_source", "Leads by source", "count", "new leads, scope `lead_source`", "E",
        fact=COHORTS, measure=Count(), inputs=INPUTS, scopes=("lead_source",)),
    Kpi("leads_by_status", "Leads by status", "count",
        "new leads by their current status (lifecycle stage), scope `status`", "E",
        fact=COHORTS, measure=Count(), inputs=INPUTS, scopes=("status",)),
    Kpi("lead_conversion_rate", "Lead conversion rate", "ratio",
        "cohort: leads created in the period that have converted (by the run) / leads created",
        "A; B; D customer conversion", fact=COHORTS, measure=Ratio(Count(pl.col("converted")), Count()),
        inputs=INPUTS, scopes=LEAD_SCOPES),
    Kpi("lead_to_customer_rate", "Lead-to-customer rate", "ratio",
        "cohort: leads created in the period whose converted opportunity is won / leads created",
        "C lead-to-customer", fact=COHORTS, measure=Ratio(Count(pl.col("converted_won")), Count()),
        inputs=INPUTS, scopes=LEAD_SCOPES),
    Kpi("lead_response_hours", "Lead response time (hours)", "hours",
        "mean hours from lead creation to its first activity, over leads created in the period that have one",
        "B waiting time; C response time", fact=COHORTS, measure=Mean(pl.col("response_hours")),
        inputs=INPUTS, scopes=LEAD_SCOPES),
    Kpi("leads_without_response", "Leads without response", "count",
        "leads created in the period with no activity yet", "B",
        fact=COHORTS, measure=Count(pl.col("first_activity_at").is_null()), inputs=INPUTS,
        scopes=LEAD_SCOPES),
]
