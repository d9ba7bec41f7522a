"""The KPI engine: the shared schema, the catalog and a columnar compute over normalised records.

Depends on nothing else of ours, so it can be used on its own: `compute(source, config)`, where the source
is a `Dataset` of frames, a `ParquetSource` or a `ColumnReader` (the store), read for the columns
`required_columns(kpis)` names only.
"""

from kpi_engine.config import KpiConfig
from kpi_engine.dataset import Dataset
from kpi_engine.declarations import required_columns
from kpi_engine.engine import compute
from kpi_engine.source import ColumnReader, ParquetSource, Source

__all__ = ["ColumnReader", "Dataset", "KpiConfig", "ParquetSource", "Source", "compute", "required_columns"]
