"""KPIs the sources name that CRM data cannot give: listed with why, never invented."""

from __future__ import annotations

from kpi_engine.catalog.model import NotComputable

NOT_COMPUTABLE: list[NotComputable] = [
    NotComputable("Net Promoter Score", "E", "needs customer survey answers, which no CRM record holds"),
    NotComputable(
        "Real-time competitive and market data", "E",
        "comes from outside the CRM (market research, competitors)",
    ),
    NotComputable("Buyer personas", "E", "a qualitative segmentation, not a number computable from records"),
    NotComputable(
        "Lead scoring models",
        "E",
        "a model, not a measurement: the catalog reports conversion by lead source and status, the quality "
        "proxy, but computes no score",
    ),
]
