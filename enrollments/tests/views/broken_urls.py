"""The project's URLs and error handlers, plus a page that fails: what a 500 answers (tests only)."""

from django.urls import path

from backoffice.urls import handler403, handler404
from backoffice.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [*project_urlpatterns, path("broken/", broken)]

__all__ = ["handler403", "handler404", "urlpatterns"]
