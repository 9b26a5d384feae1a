"""Reports: the one KPI definition of plans (``kpis``), intervals over seeds (``stats``), and
self-contained HTML pages of studies and plans (Jinja2, inline SVG)."""

from dom.reports.kpis import KPI_COLUMNS, folder_kpis, plan_kpis, read_plan
from dom.reports.stats import Interval, interval, paired

__all__ = ["KPI_COLUMNS", "Interval", "folder_kpis", "interval", "paired", "plan_kpis", "read_plan"]
