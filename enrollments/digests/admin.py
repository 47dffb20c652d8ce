"""The compliance digest's boxes on the core's pages (its URLs sit in the Companies and Failed emails sections,
``enrollments/admin.py``)."""

from ..views.common import register_panel
from . import views

register_panel("company_detail", views.company_panel)
register_panel("failure_list", views.failures_panel)
