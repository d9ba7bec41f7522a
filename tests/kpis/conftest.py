import sys
from pathlib import Path

# The KPI tests share record builders (kpi_records.py); make them importable whether or not this
# directory is a package.
sys.path.insert(0, str(Path(__file__).parent))
