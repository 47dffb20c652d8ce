"""The "Outbox" section of the admin site, in development only.

Production (``DEBUG=false`` when the app starts) registers nothing: no URL, no link. In development the section
shows and answers only while ``selectors.outbox_enabled()`` holds (``DEBUG`` on and the outbox backend in use).
"""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.admin_site import Section

from .. import permissions
from . import selectors, views

if settings.DEBUG:
    admin.site.register_section(
        Section.of_views(
            slug="outbox",
            name=_("Outbox"),
            permission=permissions.VIEW,
            list_view=views.outbox_list,
            order=90,
            more=[
                ("<str:name>/", views.outbox_message),
                ("<str:name>/html/", views.outbox_message_html),
            ],
            available=selectors.outbox_enabled,
        )
    )
