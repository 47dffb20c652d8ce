from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from enrollments.health.views import healthz, readyz
from enrollments.views.common import no_favicon


def _moved(pattern_name: str):
    """Answer a URL that moved into the admin site with a redirect to its new place (links already shared keep working)."""
    return RedirectView.as_view(pattern_name=pattern_name, permanent=False, query_string=True)


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("enrollments.api_urls")),
    path("favicon.ico", no_favicon),
    # Probes (SECURE_REDIRECT_EXEMPT lets them in over http): the process answers; DynamoDB and Redis answer.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # set_language: the language picker in the admin's header posts here; the choice stays in a cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    # The first URLs of an import's JSON and files; they now live in the admin's Imports section.
    path("imports/<uuid:job_id>/progress.json", _moved("admin:import_progress_json")),
    path("imports/<uuid:job_id>/report.csv", _moved("admin:import_report_download")),
    path("imports/<uuid:job_id>/failed-rows.csv", _moved("admin:import_failed_rows_download")),
]

# The 403 and 404 pages in the admin's look. A 500 keeps Django's handler500: it renders templates/500.html
# without a request or a context, which nothing broken (the database, a context processor) can make fail again.
handler403 = "enrollments.views.common.permission_denied"
handler404 = "enrollments.views.common.page_not_found"
