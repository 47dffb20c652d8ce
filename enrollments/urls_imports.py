from django.urls import path

from . import views_imports

app_name = "imports"

urlpatterns = [
    path("<uuid:job_id>/progress.json", views_imports.import_progress_json, name="progress"),
    path("<uuid:job_id>/report.csv", views_imports.import_report_download, name="report"),
    path("<uuid:job_id>/failed-rows.csv", views_imports.import_failed_rows_download, name="failed_rows"),
]
