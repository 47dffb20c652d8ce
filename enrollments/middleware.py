"""Turn DynamoDB being unreachable into a 503 page instead of a server error."""

import logging

from django.utils.translation import gettext as _

from .exceptions import StorageUnavailable
from .views.common import render_page

logger = logging.getLogger(__name__)


class StorageUnavailableMiddleware:
    """Answer a page whose reads or writes DynamoDB refused with the 503 page, in the admin's look.

    Selectors and services turn every storage error into ``StorageUnavailable``: a page
    has no better answer to it than this one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StorageUnavailable):
            return None
        logger.error("DynamoDB unavailable on %s: %s", request.path, exception)
        context = {"title": _("Database unavailable")}
        return render_page(request, "503.html", context, status=503).render()
