"""The KPI engine: the shared schema, the catalog and a columnar compute over normalised records.

Depends on nothing else of ours, so it can be used on its own: `compute(dataset, config)`.
"""

from kpi_engine.config import KpiConfig
from kpi_engine.dataset import Dataset
from kpi_engine.engine import compute

__all__ = ["Dataset", "KpiConfig", "compute"]
