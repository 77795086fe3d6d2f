"""Staff pages of the KPI catalogue under /a/<association>/planning/: the catalogue, the
rows behind any metric's figure, and the rows behind an objective's number (with CSV)."""

from django.urls import path

from . import views_kpis as v

urlpatterns = [
    path("planning/metrics/", v.metric_catalogue, name="metric_catalogue"),
    path("planning/metrics/rows/", v.metric_rows, name="metric_rows"),
    path("planning/metrics/rows.csv", v.metric_rows_csv, name="metric_rows_csv"),
    path("planning/objectives/<int:objective_id>/rows/", v.kpi_rows, name="kpi_rows"),
    path("planning/objectives/<int:objective_id>/rows.csv", v.kpi_rows_csv,
         name="kpi_rows_csv"),
]
