"""The generated tables' columns: the shared schema's names and types, then the documented extras.

Mirrors kpi_engine.schema (which the sandbox may not import); tests check the two agree.
"""

from __future__ import annotations

import polars as pl

UTC_DATETIME = pl.Datetime("us", "UTC")
RECORD = {"source": pl.String, "id": pl.String, "deleted": pl.Boolean, "modified_at": UTC_DATETIME}

SCHEMA_COLUMNS: dict[str, dict[str, pl.DataType]] = {
    "users": RECORD | {
        "name": pl.String, "email": pl.String, "active": pl.Boolean, "team": pl.String,
        "manager_id": pl.String, "started_at": pl.Date, "ended_at": pl.Date,
    },
    "accounts": RECORD | {
        "name": pl.String, "owner_id": pl.String, "created_at": UTC_DATETIME, "industry": pl.String,
        "region": pl.String,
    },
    "leads": RECORD | {
        "owner_id": pl.String, "created_at": UTC_DATETIME, "lead_source": pl.String, "status": pl.String,
        "converted_at": UTC_DATETIME, "converted_account_id": pl.String, "converted_opportunity_id": pl.String,
    },
    "opportunities": RECORD | {
        "name": pl.String, "account_id": pl.String, "owner_id": pl.String, "pipeline": pl.String,
        "stage": pl.String, "probability": pl.Float64, "forecast_category": pl.String, "type": pl.String,
        "lead_source": pl.String, "amount": pl.Float64, "amount_original": pl.Float64, "currency": pl.String,
        "created_at": UTC_DATETIME, "close_date": pl.Date, "is_closed": pl.Boolean, "is_won": pl.Boolean,
        "contract_months": pl.Int64,
    },
    "stage_changes": RECORD | {"opportunity_id": pl.String, "stage": pl.String, "entered_at": UTC_DATETIME},
    "stages": RECORD | {
        "pipeline": pl.String, "stage": pl.String, "order": pl.Int64, "probability": pl.Float64,
        "is_closed": pl.Boolean, "is_won": pl.Boolean, "forecast_category": pl.String,
    },
    "activities": RECORD | {
        "kind": pl.String, "subtype": pl.String, "owner_id": pl.String, "occurred_at": UTC_DATETIME,
        "duration_seconds": pl.Float64, "completed": pl.Boolean, "outcome": pl.String, "direction": pl.String,
        "opened": pl.Boolean, "opportunity_id": pl.String, "account_id": pl.String, "lead_id": pl.String,
    },
    "line_items": RECORD | {
        "opportunity_id": pl.String, "product_id": pl.String, "product_name": pl.String,
        "product_family": pl.String, "quantity": pl.Float64, "unit_price": pl.Float64, "total_price": pl.Float64,
    },
    "quotas": {"owner": pl.String, "period_start": pl.Date, "period_end": pl.Date, "amount": pl.Float64},
    "spend": {"period_start": pl.Date, "period_end": pl.Date, "amount": pl.Float64, "category": pl.String},
}

# Columns beyond the shared schema, for the sandboxes' native renderers (not written by write_jsonl).
EXTRA_COLUMNS: dict[str, dict[str, pl.DataType]] = {
    "accounts": {"currency": pl.String},  # the account's currency (Salesforce CurrencyIsoCode)
    "leads": {"first_name": pl.String, "last_name": pl.String, "company": pl.String, "email": pl.String},
    "opportunities": {"stage_order": pl.Int64},  # order of `stage` in the stages table
}

# Reference tables the renderers need.
REFERENCE_COLUMNS: dict[str, dict[str, pl.DataType]] = {
    "currencies": {"iso_code": pl.String, "rate": pl.Float64, "is_corporate": pl.Boolean},
    "products": {"id": pl.String, "name": pl.String, "family": pl.String, "list_price": pl.Float64},
}

# The files of `crm-kpi compute --input DIR`.
RECORD_FILES = ("users", "accounts", "leads", "opportunities", "stage_changes", "stages", "activities", "line_items")
