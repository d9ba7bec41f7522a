"""Integer scope keys for the big facts: aggregate over small integers, join the scope names back after.

A 10M-row fact grouped by four string columns (org, team, rep, region) spends most of its time hashing
and comparing strings, and a join per row to find each owner's team. Keyed instead, each row carries
`rep_key` (the owner's row in the reps table, UInt32), `region_key` (its region's, UInt32) and
`rep_unkeyed` (the owner id only when the owner is not a known rep, else null): three cheap group keys,
and team and org follow from the rep after aggregation, on a frame of reps × regions × periods rows.

`KEY_COLUMNS` are the columns a keyed fact carries; `ScopeKeys.expand` turns them back into the scope
columns of every other fact, with the values they would have had: the rep is the owner id (known rep or
not), the team the rep's team (null for an unknown owner), the region null when the account has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

KEY_COLUMNS: tuple[str, ...] = ("rep_key", "rep_unkeyed", "region_key")
# The scope columns `expand` yields from the keys (org is the org id on every row).
KEYED_SCOPES: tuple[str, ...] = ("org", "team", "rep", "region")


def lookup(ids: pl.Expr, keys: pl.Series, values: pl.Series) -> pl.Expr:
    """`values[i]` where `keys[i]` is the row's id; null for an id not in `keys` (unique, non-null).

    A cast to an Enum of the keys finds each id's position: a map applied batch by batch on the
    streaming engine, where a join of 10M rows against a million ids materialises its output. (Keys
    dictionary-encoded by `kpi_engine.prepared_input` are read as text for it.)"""
    position = ids.cast(pl.String).cast(pl.Enum(keys.cast(pl.String)), strict=False).to_physical()
    return pl.lit(values).gather(position)


@dataclass(frozen=True)
class ScopeKeys:
    reps: pl.DataFrame  # rep_key, rep, team
    regions: pl.DataFrame  # region_key, region
    account_regions: pl.DataFrame  # account_id, region_key
    org_id: str

    @classmethod
    def create(cls, users: pl.DataFrame, account_regions: pl.DataFrame, org_id: str) -> ScopeKeys:
        """From the context's reps (`rep` unique) and accounts' regions (`account_id` unique)."""
        reps = users.select("rep", "team").filter(pl.col("rep").is_not_null()).with_row_index("rep_key")
        regions = account_regions.select(pl.col("region").drop_nulls().unique().sort()).with_row_index(
            "region_key"
        )
        keyed = (
            account_regions.filter(pl.col("account_id").is_not_null())
            .join(regions, on="region", how="left")
            .select("account_id", "region_key")
        )
        return cls(reps, regions, keyed, org_id)

    def rep_key(self, owner: str) -> list[pl.Expr]:
        """`rep_key` and `rep_unkeyed` for the owner id column `owner`."""
        key = lookup(pl.col(owner), self.reps["rep"], self.reps["rep_key"]).alias("rep_key")
        return [key, pl.when(key.is_null()).then(pl.col(owner)).alias("rep_unkeyed")]

    def region_key(self, account: pl.Expr) -> pl.Expr:
        """The region key of an account id expression."""
        return lookup(account, self.account_regions["account_id"], self.account_regions["region_key"])

    def expand(self, aggregated: pl.DataFrame) -> pl.DataFrame:
        """Replace the key columns of an aggregated frame by org, team, rep and region."""
        return (
            aggregated.join(self.reps, on="rep_key", how="left")
            .join(self.regions, on="region_key", how="left")
            .with_columns(
                pl.lit(self.org_id, dtype=pl.String).alias("org"),
                pl.coalesce("rep", "rep_unkeyed").alias("rep"),
            )
            .drop(*KEY_COLUMNS)
        )
