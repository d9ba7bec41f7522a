"""KPIS.md section: Activities."""

from __future__ import annotations

from kpi_engine.catalog.model import AnyKpi

KPIS: list[AnyKpi] = []
