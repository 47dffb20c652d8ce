"""The webhooks' box on the company's page (its URLs sit in the Companies section, ``enrollments/admin.py``)."""

from ..views.common import register_panel
from . import views

register_panel("company_detail", views.company_panel)
