"""`generate_org`: a whole CRM org, deterministic by (size, seed, as_of, source)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from sandbox.generator import frames
from sandbox.generator.accounts import generate_accounts
from sandbox.generator.activities import generate_activities
from sandbox.generator.amounts import price_deals
from sandbox.generator.deals import EXPANSION, NEW_BUSINESS, OTHER, Columns, generate_deals
from sandbox.generator.history import close_times, current_stage, stage_history
from sandbox.generator.ids import ids_for_counters
from sandbox.generator.leads import generate_leads
from sandbox.generator.reference import COMPANY_NOUNS, COMPANY_SUFFIXES, COMPANY_WORDS, PRODUCTS
from sandbox.generator.sampling import stream
from sandbox.generator.spec import DAY_US, OrgSpec, Window, resolve_spec
from sandbox.generator.tables import RECORD_FILES, SCHEMA_COLUMNS
from sandbox.generator.targets import quotas, spend
from sandbox.generator.users import generate_staff

SOURCES = ("salesforce", "hubspot")
DELETED_SHARE = 0.005


@dataclass(frozen=True)
class Org:
    """A generated org: the shared schema's tables plus the reference tables, as polars frames."""

    tables: dict[str, pl.DataFrame]
    spec: OrgSpec
    seed: int
    as_of: date
    source: str

    def write_jsonl(self, directory: str | Path) -> list[Path]:
        """Write the input files of `crm-kpi compute --input DIR` (shared-schema columns only)."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for table in RECORD_FILES:
            path = out / f"{table}.jsonl"
            self.tables[table].select(list(SCHEMA_COLUMNS[table])).write_ndjson(path)
            written.append(path)
        for table in ("quotas", "spend"):
            path = out / f"{table}.csv"
            self.tables[table].write_csv(path)
            written.append(path)
        return written


def _mark_deleted(rng: np.random.Generator, deals: Columns) -> np.ndarray:
    """A few unwon, non-lead new-business deals were deleted (nothing else refers to them)."""
    candidates = (~deals["is_won"] & ~deals["from_lead"] & np.isin(deals["kind"], [NEW_BUSINESS, OTHER]))
    return candidates & (rng.random(len(candidates)) < DELETED_SHARE * 4)


def _modified(rng: np.random.Generator, history: Columns, n: int, window: Window) -> np.ndarray:
    """A deal's last change: its last stage change, plus a little (an edit after that)."""
    last_row = np.flatnonzero(np.diff(history["deal"], append=-1) != 0)
    last = np.empty(n, dtype=np.int64)
    last[history["deal"][last_row]] = history["entered_us"][last_row]
    room = np.clip(window.horizon_us - 1 - last, 0, 3 * DAY_US)
    return last + (rng.random(n) * room).astype(np.int64)


def generate_org(size: str | OrgSpec = "small", seed: int = 0, as_of: date | None = None,
                 source: str = "salesforce") -> Org:
    """Generate an org. Same arguments, same org, byte for byte; `source` changes only the ids."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; use 'salesforce' or 'hubspot'")
    spec = resolve_spec(size)
    window = Window.ending(as_of)
    staff = generate_staff(stream(seed, "users"), spec.users, window)
    name_sizes = (len(COMPANY_WORDS), len(COMPANY_NOUNS), len(COMPANY_SUFFIXES))
    accounts = generate_accounts(stream(seed, "accounts"), spec.accounts, staff, window, name_sizes)
    deals = generate_deals(stream(seed, "deals"), spec.opportunities, accounts, staff, window)
    deals["deleted"] = _mark_deleted(stream(seed, "deleted"), deals)
    history_rng = stream(seed, "history")
    end_us = close_times(history_rng, deals, window)
    history = stage_history(history_rng, deals, end_us)
    currency = accounts.currency[deals["account"]]
    money, items = price_deals(stream(seed, "amounts"), deals, currency)
    leads = generate_leads(stream(seed, "leads"), spec.leads, deals, staff, window)
    acts = generate_activities(stream(seed, "activities"), spec.activities, deals, end_us, leads, staff, window)

    frame_rng = stream(seed, "frames")
    users = frames.users_frame(frame_rng, staff, window, source)
    user_ids = frames.ids_for_counters("users", np.arange(staff.count), source)
    refs = {
        "user_ids": user_ids,
        "account_ids": frames.creation_ids("accounts", accounts.created_us, source),
        "account_names": frames.account_names(accounts),
        "opportunity_ids": frames.creation_ids("opportunities", deals["created_us"], source),
        "lead_ids": frames.creation_ids("leads", leads["created_us"], source),
    }
    stage = current_stage(deals)
    won = deals["is_won"] & ~deals["deleted"] & (money["amount"] == money["amount"])
    bookings = float(money["amount"][won].sum())  # over the whole window, for quotas and spend
    product_ids = ids_for_counters("products", np.arange(len(PRODUCTS)), source)
    tables = {
        "users": users,
        "accounts": frames.accounts_frame(frame_rng, accounts, refs["account_ids"], user_ids, window, source),
        "leads": frames.leads_frame(frame_rng, leads, deals, refs, source),
        "opportunities": frames.opportunities_frame(
            deals, money, stage, _modified(frame_rng, history, len(stage), window), refs, currency, source),
        "stage_changes": frames.stage_changes_frame(history, deals, refs["opportunity_ids"], source),
        "stages": frames.stages_frame(window, source),
        "activities": frames.activities_frame(frame_rng, acts, deals, refs, window, source),
        "line_items": frames.line_items_frame(frame_rng, items, deals, refs["opportunity_ids"], product_ids,
                                              window, source),
        "quotas": quotas(stream(seed, "quotas"), staff, user_ids, deals["close_day"][won], money["amount"][won],
                         window),
        "spend": spend(stream(seed, "spend"), bookings, window),
    } | frames.reference_frames(source)
    return Org(tables=tables, spec=spec, seed=seed, as_of=window.as_of, source=source)


__all__ = ["EXPANSION", "Org", "generate_org"]
