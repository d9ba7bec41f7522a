"""KPIS.md section: Team. Filled in by the engine2 branch."""

from __future__ import annotations

from kpi_engine.catalog.model import AnyKpi

KPIS: list[AnyKpi] = []
