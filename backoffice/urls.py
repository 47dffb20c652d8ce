from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from enrollments.views.common import no_favicon

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("enrollments.api_urls")),
    path("favicon.ico", no_favicon),
    path("imports/", include("enrollments.urls_imports")),
]

# The 403 page in the admin's look.
handler403 = "enrollments.views.common.permission_denied"
