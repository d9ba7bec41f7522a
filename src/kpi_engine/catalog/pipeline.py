"""KPIS.md section: Pipeline and funnel."""

from __future__ import annotations

from kpi_engine.catalog.model import AnyKpi

KPIS: list[AnyKpi] = []
