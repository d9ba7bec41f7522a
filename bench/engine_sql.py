"""KPIS.md's definitions of 18 common KPIs written by hand as DuckDB SQL over the generator's Parquet files.

The reference bench/engine_vs_sql.py holds the engine to: outcome (deals_won, deals_lost, bookings,
win_rate, average_deal_size), pipeline (new_opportunities, pipeline_count, pipeline_value,
weighted_pipeline, commit_pipeline), activity (activities, calls, meetings, call_connect_rate), lead
(new_leads, lead_conversion_rate) and MRR (mrr, customers) KPIs at scopes org and rep, per quarter, time
zone UTC, each from the definition and Conventions of ../shared/KPIS.md, not from the engine's code.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

KPIS: tuple[str, ...] = (
    "deals_won", "deals_lost", "bookings", "win_rate", "average_deal_size",
    "new_opportunities", "pipeline_count", "pipeline_value", "weighted_pipeline", "commit_pipeline",
    "activities", "calls", "meetings", "call_connect_rate", "new_leads", "lead_conversion_rate",
    "mrr", "customers",
)
RECURRING = ("new_business", "renewal", "expansion")


def query(directory: Path, since: date, as_of: date, org_id: str = "org") -> str:
    """One query giving (kpi, scope, scope_id, period_start, value) for the quarters since .. as_of."""

    def table(name: str) -> str:
        path = directory / f"{name}.parquet"
        return f"(SELECT * FROM read_parquet('{path}') WHERE NOT coalesce(deleted, false))"

    # Quarters holding since .. as_of: start, and the last day (state at period end is read on it).
    quarter = f"date_trunc('quarter', DATE '{since}')"
    recurring = ", ".join(f"'{t}'" for t in RECURRING)
    return f"""
WITH periods AS (
    SELECT p::DATE AS p, (p + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE AS e
    FROM range({quarter}, date_trunc('quarter', DATE '{as_of}') + INTERVAL 1 DAY, INTERVAL 3 MONTH) t(p)
),
opps AS (SELECT * , created_at::DATE AS created_date FROM {table('opportunities')}),
-- Outcomes: by the quarter holding close_date, closed by the run.
closed AS (
    SELECT owner_id AS rep, date_trunc('quarter', close_date)::DATE AS p, is_won, amount FROM opps
    WHERE is_closed AND close_date IS NOT NULL AND close_date <= DATE '{as_of}' AND close_date >= {quarter}
),
outcomes AS (
    SELECT p, rep, grouping(rep) AS g, count(*) FILTER (is_won) AS won, count(*) FILTER (NOT is_won) AS lost,
           coalesce(sum(amount) FILTER (is_won), 0) AS bookings,
           count(amount) FILTER (is_won) AS won_with_amount,
           count(*) AS closed
    FROM closed GROUP BY GROUPING SETS ((p), (p, rep))
),
created AS (
    SELECT p, rep, grouping(rep) AS g, count(*) AS n FROM (
        SELECT owner_id AS rep, date_trunc('quarter', created_date)::DATE AS p FROM opps
        WHERE created_date <= DATE '{as_of}' AND created_date >= {quarter}
    ) GROUP BY GROUPING SETS ((p), (p, rep))
),
-- Open at each period end e: created by e and (open now, or closed after e); open-now omitted left out.
open_at_end AS (
    SELECT o.id, o.owner_id AS rep, o.amount, o.pipeline, o.stage, o.probability, o.forecast_category,
           q.p, q.e
    FROM opps o JOIN periods q ON o.created_date <= q.e AND (NOT o.is_closed OR o.close_date > q.e)
    WHERE o.created_date <= DATE '{as_of}'
      AND NOT (NOT o.is_closed AND coalesce(o.forecast_category = 'omitted', false))
      AND (NOT o.is_closed OR o.close_date IS NOT NULL)
),
-- The stage held at the end of a day: the last entry of the latest day on or before it.
entries AS (
    SELECT opportunity_id, entered_at::DATE AS d, arg_max(stage, entered_at) AS held_stage
    FROM {table('stage_changes')} WHERE entered_at IS NOT NULL GROUP BY ALL
),
latest_entries AS (SELECT *, d = max(d) OVER (PARTITION BY opportunity_id) AS is_latest FROM entries),
held AS (
    SELECT a.*, l.held_stage, l.d AS entered_d, l.is_latest,
           (l.d IS NULL OR (l.is_latest AND l.held_stage = a.stage)) AS current
    FROM open_at_end a ASOF LEFT JOIN latest_entries l ON a.id = l.opportunity_id AND a.e >= l.d
),
stage_defs AS (
    SELECT pipeline, stage, first(probability) AS sp, first(forecast_category) AS sc
    FROM {table('stages')} GROUP BY pipeline, stage
),
held_odds AS (
    SELECT h.p, h.rep, h.amount,
           CASE WHEN h.current THEN coalesce(h.probability, s.sp)
                ELSE coalesce(s.sp, h.probability) END AS prob,
           CASE WHEN h.current THEN h.forecast_category
                ELSE coalesce(s.sc, h.forecast_category) END AS category
    FROM held h LEFT JOIN stage_defs s
      ON s.pipeline = h.pipeline AND s.stage = CASE WHEN h.current THEN h.stage ELSE h.held_stage END
),
pipeline AS (
    SELECT p, rep, grouping(rep) AS g, count(*) AS n, coalesce(sum(amount), 0) AS value,
           coalesce(sum(amount * prob), 0) AS weighted,
           coalesce(sum(amount) FILTER (category = 'commit'), 0) AS commit
    FROM held_odds GROUP BY GROUPING SETS ((p), (p, rep))
),
-- Activities by the quarter holding occurred_at; calls and emails are completed when logged.
acts AS (
    SELECT owner_id AS rep, date_trunc('quarter', occurred_at::DATE)::DATE AS p, kind, outcome,
           CASE WHEN kind IN ('call', 'email') THEN true ELSE coalesce(completed, true) END AS done
    FROM {table('activities')}
    WHERE occurred_at::DATE <= DATE '{as_of}' AND occurred_at::DATE >= {quarter}
),
activity AS (
    SELECT p, rep, grouping(rep) AS g, count(*) FILTER (done AND kind <> 'note') AS activities,
           count(*) FILTER (kind = 'call') AS calls,
           count(*) FILTER (kind = 'meeting' AND done) AS meetings,
           count(*) FILTER (kind = 'call' AND outcome = 'connected') AS connected,
           count(*) FILTER (kind = 'call' AND outcome IS NOT NULL) AS known_outcome
    FROM acts GROUP BY GROUPING SETS ((p), (p, rep))
),
lead_cohorts AS (
    SELECT p, rep, grouping(rep) AS g, count(*) AS n, count(*) FILTER (converted) AS converted FROM (
        SELECT owner_id AS rep, date_trunc('quarter', created_at::DATE)::DATE AS p,
               coalesce(converted_at::DATE <= DATE '{as_of}', false) AS converted
        FROM {table('leads')} WHERE created_at::DATE <= DATE '{as_of}' AND created_at::DATE >= {quarter}
    ) GROUP BY GROUPING SETS ((p), (p, rep))
),
-- Contract coverage: won recurring deals on live accounts cover [close_date, + contract_months).
accounts AS (SELECT id, owner_id FROM {table('accounts')}),
contracts AS (
    SELECT o.account_id, a.owner_id AS rep, o.close_date AS cover_start,
           (o.close_date + to_months(coalesce(o.contract_months, 12)::INTEGER))::DATE AS cover_end,
           coalesce(o.amount, 0) / coalesce(o.contract_months, 12) AS mrr
    FROM opps o JOIN accounts a ON a.id = o.account_id
    WHERE o.is_won AND o.type IN ({recurring}) AND o.close_date IS NOT NULL AND o.close_date <= DATE '{as_of}'
),
account_mrr AS (
    SELECT q.p, c.account_id, any_value(c.rep) AS rep, sum(c.mrr) AS mrr
    FROM periods q JOIN contracts c ON c.cover_start <= q.e AND c.cover_end > q.e GROUP BY q.p, c.account_id
),
revenue AS (
    SELECT p, rep, grouping(rep) AS g, sum(mrr) AS mrr, count(*) FILTER (mrr > 0) AS customers
    FROM account_mrr GROUP BY GROUPING SETS ((p), (p, rep))
),
long AS (
    SELECT p, rep, g, 'deals_won' AS kpi, won::DOUBLE AS value FROM outcomes
    UNION ALL SELECT p, rep, g, 'deals_lost', lost FROM outcomes
    UNION ALL SELECT p, rep, g, 'bookings', bookings FROM outcomes
    UNION ALL SELECT p, rep, g, 'win_rate', CASE WHEN closed > 0 THEN won / closed END FROM outcomes
    UNION ALL SELECT p, rep, g, 'average_deal_size',
        CASE WHEN won_with_amount > 0 THEN bookings / won_with_amount END FROM outcomes
    UNION ALL SELECT p, rep, g, 'new_opportunities', n FROM created
    UNION ALL SELECT p, rep, g, 'pipeline_count', n FROM pipeline
    UNION ALL SELECT p, rep, g, 'pipeline_value', value FROM pipeline
    UNION ALL SELECT p, rep, g, 'weighted_pipeline', weighted FROM pipeline
    UNION ALL SELECT p, rep, g, 'commit_pipeline', commit FROM pipeline
    UNION ALL SELECT p, rep, g, 'activities', activities FROM activity
    UNION ALL SELECT p, rep, g, 'calls', calls FROM activity
    UNION ALL SELECT p, rep, g, 'meetings', meetings FROM activity
    UNION ALL SELECT p, rep, g, 'call_connect_rate',
        CASE WHEN known_outcome > 0 THEN connected / known_outcome END FROM activity
    UNION ALL SELECT p, rep, g, 'new_leads', n FROM lead_cohorts
    UNION ALL SELECT p, rep, g, 'lead_conversion_rate',
        CASE WHEN n > 0 THEN converted / n END FROM lead_cohorts
    UNION ALL SELECT p, rep, g, 'mrr', mrr FROM revenue
    UNION ALL SELECT p, rep, g, 'customers', customers FROM revenue
)
SELECT kpi, CASE WHEN g = 1 THEN 'org' ELSE 'rep' END AS scope,
       CASE WHEN g = 1 THEN '{org_id}' ELSE rep END AS scope_id,
       p AS period_start, value
FROM long WHERE p IN (SELECT p FROM periods) AND (g = 1 OR rep IS NOT NULL)
"""
