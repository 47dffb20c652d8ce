"""Filters for back-office pages: stored ISO times in the configured zone and the active language, and codes in words."""

from django import template
from django.utils import formats, timezone

from .. import labels
from ..clock import from_iso

register = template.Library()


def _moment(value):
    if not value:
        return None
    try:
        return timezone.localtime(from_iso(value) if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return None


@register.filter
def local_datetime(value) -> str:
    """Format an ISO 8601 UTC string as a date and time in the configured time zone."""
    moment = _moment(value)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT") if moment else ""


@register.filter
def local_date(value) -> str:
    """Format an ISO 8601 UTC string as a date in the configured time zone."""
    moment = _moment(value)
    return formats.date_format(moment, "SHORT_DATE_FORMAT") if moment else ""


@register.filter
def status_label(code):
    return labels.label(labels.STATUSES, code)


@register.filter
def event_label(code):
    return labels.label(labels.EVENTS, code)


@register.filter
def record_state_label(code):
    return labels.label(labels.RECORD_STATES, code)


@register.filter
def action_label(code):
    return labels.label(labels.ACTIONS, code)


@register.filter
def billing_label(code):
    return labels.label(labels.BILLING, code)


@register.filter
def source_label(code):
    return labels.label(labels.SOURCES, code)
