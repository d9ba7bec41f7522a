"""Run `crm-kpi` with the dummy app standing in for a CRM package (or a package missing).

Usage: python cli_with_dummy.py (dummy|missing) CRM-KPI-ARGS...
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import dummy_crm  # noqa: E402

mode, *args = sys.argv[1:]
for crm in ("salesforce", "hubspot"):
    # None in sys.modules makes `import sandbox.<crm>` fail as if the package were absent.
    sys.modules[f"sandbox.{crm}"] = dummy_crm if mode == "dummy" else None  # type: ignore[assignment]
if mode == "missing":
    sys.modules["sandbox.generator"] = None  # type: ignore[assignment]

from sync.cli import main  # noqa: E402

sys.argv = ["crm-kpi", *args]
main()
