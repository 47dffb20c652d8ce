"""URLs of the JSON API, mounted under ``/api/v1/``."""

from django.urls import path

from . import api

urlpatterns = [
    path("enrollments/<str:enrollment_id>/events", api.enrollment_events, name="api-enrollment-events"),
]
