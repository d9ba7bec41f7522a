"""Write-back: which KPI values become which CRM targets (`targets`), what a run must write (`planner`),
and how a plan is shown (`plan_view`)."""
