"""`python -m sync`: the `crm-kpi` command without its console script."""

from sync.cli import main

main()
