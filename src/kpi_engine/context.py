"""What every fact table is built from: the input without deleted records, the settings, the periods.

A `ComputeContext` is made once per compute and grain. It prepares the columns many facts need once
(the owner's team, the account's region, local dates) so facts stay short. It knows nothing of facts:
the engine builds them (`kpi_engine.fact_tables`) in the order their declarations give, and hands each
builder the facts it declared it needs.

Contract for fact authors (declare the columns each view reads: `kpi_engine.input_columns`):
- `ctx.opportunities_lazy` (OPPORTUNITY_VIEW), `ctx.accounts` (ACCOUNT_VIEW), `ctx.users` (USER_VIEW) are
  frames with deleted records already dropped, and with scope columns `org` (the org id), `rep` (record
  owner id), `team` (owner's current team), `region` (account region) where they apply, plus
  `created_date` local dates. `ctx.dataset` holds the declared columns only, with deleted records (and
  the line items and stage changes of deleted opportunities) dropped, opportunity, account and lead
  ids as Enums and low-cardinality text Categorical (`kpi_engine.prepared_input`).
- `ctx.activities_keyed` (ACTIVITY_KEYS_VIEW) is activities with integer scope keys instead of scope
  names, for a lazy fact (`kpi_engine.scope_keys`).
- `ctx.period_of(date_expr)` gives the period start (Date) holding a Date expression; at grain `to_date`
  it is the as-of date for every row. `ctx.local_date(datetime_expr)` converts to the configured zone.
- `ctx.periods` holds the periods computed (sorted, contiguous): `period_index`, `period_start`,
  `period_end`. It may start before the requested range when derived KPIs look back (P-1, windows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TypeVar

import polars as pl

from kpi_engine import periods as periods_mod
from kpi_engine.config import KpiConfig
from kpi_engine.prepared_input import PreparedInput
from kpi_engine.scope_keys import ScopeKeys, lookup

BASE_SCOPES: tuple[str, ...] = ("org", "team", "rep", "region")
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def _live(frame: FrameT) -> FrameT:
    return frame.filter(~pl.col("deleted").fill_null(False))


@dataclass(frozen=True)
class ComputeContext:
    dataset: PreparedInput  # prepared: only the declared columns, deleted records gone, ids encoded
    config: KpiConfig
    grain: str
    as_of: date
    periods: pl.DataFrame
    scopes: frozenset[str] | None = None  # the scopes asked for (None: every scope a KPI has)

    @classmethod
    def create(
        cls,
        dataset: PreparedInput,
        config: KpiConfig,
        grain: str,
        as_of: date,
        first: date,
        last: date,
        scopes: frozenset[str] | None = None,
    ) -> ComputeContext:
        """A context over the periods holding `first` .. `last` (for `to_date`: the as-of day), on the
        input as `kpi_engine.prepared_input.prepare` reads it (deleted records gone, ids encoded)."""
        table = periods_mod.periods_between(first, last, grain, config.fiscal_year_start_month)
        return cls(dataset, config, grain, as_of, table, scopes)

    # -- periods ---------------------------------------------------------------------------------
    def period_index(self, day: pl.Expr) -> pl.Expr:
        if self.grain == "to_date":
            return pl.lit(0, dtype=pl.Int32)
        return periods_mod.period_index(day, self.grain, self.config.fiscal_year_start_month)

    def period_of(self, day: pl.Expr) -> pl.Expr:
        """Start (Date) of the period holding a Date expression."""
        if self.grain == "to_date":
            return pl.lit(self.as_of, dtype=pl.Date)
        return periods_mod.period_start(day, self.grain, self.config.fiscal_year_start_month)

    def local_date(self, value: pl.Expr) -> pl.Expr:
        return periods_mod.local_date(value, self.config.time_zone)

    @property
    def first_index(self) -> int:
        return int(self.periods["period_index"].min())  # type: ignore[arg-type]

    @property
    def last_index(self) -> int:
        return int(self.periods["period_index"].max())  # type: ignore[arg-type]

    @property
    def org_id(self) -> pl.Expr:
        return pl.lit(self.dataset.org_id, dtype=pl.String).alias("org")

    # -- prepared tables -------------------------------------------------------------------------
    @cached_property
    def users(self) -> pl.DataFrame:
        """Reps: `rep` (user id), `team`, `email` (lower case), `started_at`, `ended_at`.

        A user marked inactive without an end date is taken to have ended on the day of the record's
        last change, the best date the CRM gives.
        """
        u = self.dataset.users
        ended = (
            pl.when(pl.col("ended_at").is_null() & ~pl.col("active").fill_null(True))
            .then(self.local_date(pl.col("modified_at")))
            .otherwise(pl.col("ended_at"))
        )
        return u.select(
            pl.col("id").alias("rep"),
            pl.col("team"),
            pl.col("email").str.to_lowercase().alias("email"),
            pl.col("started_at"),
            ended.alias("ended_at"),
        ).unique("rep", keep="last")

    @cached_property
    def account_regions(self) -> pl.DataFrame:
        return self.dataset.accounts.select(pl.col("id").alias("account_id"), "region").unique(
            "account_id", keep="last"
        )

    def _owned(self, frame: pl.DataFrame) -> pl.LazyFrame:
        """`frame` with the scope columns of its owner (`org`, `rep`, `team`) and its local `created_date`:
        what opportunities, leads and accounts all need the same way."""
        return (
            frame.lazy()
            .with_columns(
                self.org_id,
                pl.col("owner_id").alias("rep"),
                self.local_date(pl.col("created_at")).alias("created_date"),
            )
            .join(self.users.lazy().select("rep", "team"), on="rep", how="left")
        )

    @property
    def opportunities_lazy(self) -> pl.LazyFrame:
        """Opportunities with `org`, `rep`, `team`, `region`, `created_date`, lazily: a fact reads only its
        columns, and no joined copy of every column is held (the joins are re-run per fact: a million rows
        against small tables)."""
        return self._owned(self.dataset.opportunities).join(
            self.account_regions.lazy(), on="account_id", how="left"
        )

    @cached_property
    def scope_keys(self) -> ScopeKeys:
        return ScopeKeys.create(self.users, self.account_regions, self.dataset.org_id)

    @property
    def activities_keyed(self) -> pl.LazyFrame:
        """Live activities with `occurred_date` and integer scope keys (`kpi_engine.scope_keys`) in place
        of org, team, rep and region: the region is the account's, else the opportunity's account's.
        (An opportunity id held twice counts once, with its first record's account.)"""
        keys = self.scope_keys
        if self.scopes is not None and "region" not in self.scopes:  # no region asked: no lookups for it
            return _live(self.dataset.activities.lazy()).with_columns(
                *keys.rep_key("owner_id"),
                self.local_date(pl.col("occurred_at")).alias("occurred_date"),
                pl.lit(None, dtype=pl.UInt32).alias("region_key"),
            )
        opportunities = self.dataset.opportunities.unique("id", keep="first", maintain_order=True).filter(
            pl.col("id").is_not_null()
        )
        opportunity_regions = opportunities.select(keys.region_key(pl.col("account_id"))).to_series()
        opportunity_region = lookup(pl.col("opportunity_id"), opportunities["id"], opportunity_regions)
        return _live(self.dataset.activities.lazy()).with_columns(
            *keys.rep_key("owner_id"),
            self.local_date(pl.col("occurred_at")).alias("occurred_date"),
            pl.when(pl.col("account_id").is_not_null())
            .then(keys.region_key(pl.col("account_id")))
            .otherwise(opportunity_region)
            .alias("region_key"),
        )

    @cached_property
    def accounts(self) -> pl.DataFrame:
        """Accounts with `org`, `rep` (account owner), `team`, `region`, `created_date`."""
        return self._owned(self.dataset.accounts).collect()

    def known_ids(self, scope: str) -> pl.Series | None:
        """Scope ids that get a row even with no records (a rep with no deals shows 0 deals)."""
        if scope == "org":
            return pl.Series("scope_id", [self.dataset.org_id], dtype=pl.String)
        if scope == "rep":
            return self.users["rep"].rename("scope_id")
        if scope == "team":
            return self.users["team"].drop_nulls().unique().rename("scope_id")
        if scope == "region":
            return self.account_regions["region"].drop_nulls().unique().rename("scope_id")
        return None
