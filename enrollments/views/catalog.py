"""What the pages of companies, courses and orders share: the form page and its one submit flow, the history."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .. import labels, selectors
from ..exceptions import AlreadyCreated, EnrollmentError
from ..validators import format_cnpj
from .common import add_domain_error, render_page


@dataclass(frozen=True)
class FormPage:
    """The back office's form page around a form: its title, its button, and the section it sits under."""

    title: str
    submit: str
    section: str
    section_url: str


def form_page(request, form, page: FormPage):
    """Render ``form`` on the back office's form page, under its section's crumb."""
    context = {
        "title": page.title,
        "form": form,
        "submit": page.submit,
        "section_name": page.section,
        "section_url": reverse(page.section_url),
    }
    return render_page(request, "admin/backoffice/form.html", context)


def submit_form(
    request,
    form,
    page: FormPage,
    *,
    save: Callable[[dict], Any],
    saved: Callable[[Any], tuple[str, str]],
    already_created: Callable[[AlreadyCreated, dict], HttpResponseRedirect] | None = None,
    fields: dict[str, str] | None = None,
    show_error: Callable[..., None] = add_domain_error,
):
    """Validate ``form``, call ``save`` with its data, add a message and redirect; else show the form again.

    ``saved`` returns the success message and the URL to go to, given what ``save`` returned. A
    domain error goes on the form through ``show_error`` (``fields`` maps the service's fields to the
    form's); with ``already_created``, a second submit of a create form (``AlreadyCreated``) answers its redirect.
    """
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = save(data)
        except AlreadyCreated as error:
            if already_created is None:
                show_error(form, error, fields=fields)
            else:
                return already_created(error, data)
        except EnrollmentError as error:
            show_error(form, error, fields=fields)
        else:
            message, url = saved(result)
            messages.success(request, message)
            return HttpResponseRedirect(url)
    return form_page(request, form, page)


def courses_by_id() -> dict:
    return {course.id: course for course in selectors.course_list()}


def _shown(field: str, value) -> str:
    """Return a stored value of a catalog field as staff read it."""
    if field in ("auto_renew", "auto_renew_courses"):
        return _auto_renew_shown(field, value)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field == "digest_period":
        return str(labels.label(labels.DIGEST_PERIODS, value))
    if field == "webhook_events":
        return "; ".join(str(labels.label(labels.WEBHOOK_EVENTS, event)) for event in value.split(", "))
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    if field == "cnpj":
        return format_cnpj(value)
    if field in ("language", "contact_language"):
        try:
            return translation.get_language_info(value)["name_translated"]
        except KeyError:
            return value
    return str(value)


def _auto_renew_shown(field: str, value) -> str:
    """Say an automatic renewal setting as stored in a change: on or off, or the names of its courses."""
    if field == "auto_renew":
        return pgettext("automatic renewal", "On") if value else pgettext("automatic renewal", "Off")
    return ", ".join(value) if value else _("Every course")


def history_rows(events) -> list[dict]:
    """Return what a company's or course's history shows: when, who, what, and each change old → new."""
    return [
        {
            "at": event.created_at,
            "author": labels.author_name(event.author),
            "action": labels.label(labels.CATALOG_ACTIONS, event.action),
            "changes": [
                {
                    "field": labels.label(labels.CATALOG_FIELDS, field),
                    "old": _shown(field, old),
                    "new": _shown(field, new),
                }
                for field, old, new in event.changes or []
            ],
        }
        for event in events
    ]
