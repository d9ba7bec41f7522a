"""The HTML report: KPI charts and a data-quality section in one self-contained file.

    from sync.report import ReportInstance, ReportQuality, build_report
    html = build_report(values, ReportQuality(), title="Acme sales KPIs",
                        instances=[ReportInstance("acme-sf", "salesforce", web_url=..., names=rep_names)])

`values` is `kpi_engine.engine.compute`'s frame; the store (or `crm-kpi report --input`) supplies it, the
names of the scope ids and the quality rows. Nothing here reads the store or the network.
"""

from sync.report.build import build_report
from sync.report.from_dataset import quarantine_rows, report_from_datasets, scope_names, stage_order
from sync.report.links import record_url
from sync.report.quality import QuarantineRow, RejectedWrite, ReportInstance, ReportQuality

__all__ = [
    "QuarantineRow",
    "RejectedWrite",
    "ReportInstance",
    "ReportQuality",
    "build_report",
    "quarantine_rows",
    "record_url",
    "report_from_datasets",
    "scope_names",
    "stage_order",
]
