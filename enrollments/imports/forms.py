"""The upload form of an import (a CSV file or an .xlsx workbook). It checks shape only; reading the file is the preview's job."""

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..forms import company_choices, offer_open_courses


class ImportForm(forms.Form):
    company = forms.ChoiceField(label=_("Company"))
    course = forms.ChoiceField(
        label=_("Default course"),
        required=False,
        help_text=_("Optional. Rows without a course column or with an empty course take it."),
    )
    window_days = forms.IntegerField(
        label=_("Deduplication window (days)"),
        required=False,
        min_value=0,
        help_text=_(
            "Optional. For rows without their own window days: blocks another enrollment of the person in "
            "the course until the access period minus this many days has passed."
        ),
    )
    # An empty file gets the preview's own message, the one the command line gives too.
    file = forms.FileField(
        label=_("CSV or Excel file"),
        allow_empty_file=True,
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    # Excel caps a sheet's name at 31 characters.
    sheet = forms.CharField(
        label=_("Sheet"),
        required=False,
        max_length=31,
        help_text=_("Optional, for an Excel workbook: the name of the sheet to import. Empty: the first sheet."),
    )
    welcome = forms.BooleanField(
        label=_("Send welcome emails"),
        required=False,
        initial=True,
        help_text=_("Each person enrolled gets a welcome email with the course link and the end of the access period."),
    )

    enroll_again = forms.BooleanField(
        label=_("Enroll again people already active in the course"),
        required=False,
        initial=False,
        help_text=_(
            "Rows without a window whose person already has an active enrollment (pending or in progress) in the "
            "course are left out unless this is ticked; the preview counts them apart."
        ),
    )

    # The services name fields by their own keyword arguments.
    SERVICE_FIELDS = {"tenant_id": "company", "course_id": "course", "deduplication_window_days": "window_days"}

    def __init__(self, *args, companies, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = company_choices(companies, blank=_("Choose a company"))
        offer_open_courses(self.fields["course"], courses, blank=_("No default: each row names its course"))
        # Read here, not at import time: tests and deployments change the limits.
        self.fields["file"].help_text = ngettext(
            "Columns in English or Portuguese, in any order: name/nome, email/e-mail, cpf (optional), course/curso "
            "(id or exact name; optional with a default course), window days (optional). A CSV file in UTF-8 or "
            "Windows-1252, separated by commas, semicolons or tabs, or an Excel workbook (.xlsx). Up to "
            "%(megabytes)s MB and %(rows)s row.",
            "Columns in English or Portuguese, in any order: name/nome, email/e-mail, cpf (optional), course/curso "
            "(id or exact name; optional with a default course), window days (optional). A CSV file in UTF-8 or "
            "Windows-1252, separated by commas, semicolons or tabs, or an Excel workbook (.xlsx). Up to "
            "%(megabytes)s MB and %(rows)s rows.",
            settings.IMPORT_MAX_ROWS,
        ) % {
            "megabytes": number_format(settings.IMPORT_MAX_BYTES // (1024 * 1024), force_grouping=True),
            "rows": number_format(settings.IMPORT_MAX_ROWS, force_grouping=True),
        }
