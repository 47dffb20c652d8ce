"""URLs of the JSON API, mounted under ``/api/v1/``."""

from django.urls import path, re_path

from . import api
from .client_api.api import api as client_api

urlpatterns = [
    path("enrollments/<enrollment_id:enrollment_id>/events", api.enrollment_events, name="api-enrollment-events"),
    # Any other id names no enrollment: the API's 404, without a read.
    re_path(r"^enrollments/(?P<enrollment_id>[^/]+)/events$", api.enrollment_events_of_no_enrollment),
    # The clients' API (django-ninja), with its schema (openapi.json) and docs page (docs).
    path("", client_api.urls),
]
