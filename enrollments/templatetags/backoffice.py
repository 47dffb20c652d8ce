"""Filters for back-office pages: stored ISO times in the configured zone and the active language, and codes in words.

Dates, times, CPFs and CNPJs come out in a ``nowrap`` span: a narrow table column must not break ``151.993.504-80``
after its hyphen, nor a date from its time.
"""

from functools import partial

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

from .. import labels, permissions, rules
from ..clock import from_iso
from ..jobs.states import STATE_LABELS
from ..send_errors import send_error_cause
from ..validators import format_cnpj, format_cpf

register = template.Library()


def _moment(value):
    if not value:
        return None
    try:
        return timezone.localtime(from_iso(value) if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return None


def _unbroken(text: str) -> str:
    """Return ``text`` escaped in a span that keeps it on one line; nothing for no text (``|default`` still works)."""
    return format_html('<span class="nowrap">{}</span>', text) if text else ""


@register.filter
def local_datetime(value) -> str:
    """Format an ISO 8601 UTC string as a date and time in the configured time zone."""
    moment = _moment(value)
    return _unbroken(formats.date_format(moment, "SHORT_DATETIME_FORMAT") if moment else "")


@register.filter
def local_date(value) -> str:
    """Format an ISO 8601 UTC string as a date in the configured time zone."""
    moment = _moment(value)
    return _unbroken(formats.date_format(moment, "SHORT_DATE_FORMAT") if moment else "")


# ``{{ code|status_label }}`` and the like: the words for a stored code (``labels.label``).
_LABEL_FILTERS = {
    "status_label": labels.STATUSES,
    "event_label": labels.EVENTS,
    "record_state_label": labels.RECORD_STATES,
    "action_label": labels.ACTIONS,
    "billing_label": labels.BILLING,
    "import_state_label": STATE_LABELS,
    "bucket_label": labels.BUCKETS,
}
for _name, _words in _LABEL_FILTERS.items():
    register.filter(_name, partial(labels.label, _words))


@register.filter
def by_key(mapping, key):
    """Return ``mapping[key]``, or ``None``: what a view read for each row, by the row's id."""
    return (mapping or {}).get(key)


@register.filter
def source_link(source, links=None) -> str:
    """Say where an enrollment or an audit event came from: a source a job wrote by the words and page the view
    found for it (``links``: ``views.enrollments.source_links``), any other source in words."""
    link = (links or {}).get(source)
    if link is None:
        return labels.label(labels.SOURCES, source)
    if link.url is None:
        return link.text
    return format_html('<a href="{}" class="source-link">{}</a>', link.url, link.text)


@register.filter
def import_result_label(code) -> str:
    """Say an import row's result in words ("Other error" for a domain error without words of its own)."""
    return labels.import_result_label(code)


@register.filter
def digest_period_label(code) -> str:
    """Say how often a company gets its compliance digest; none stored: never."""
    return labels.label(labels.DIGEST_PERIODS, code or "")


@register.filter
def record_state(record) -> str:
    """Say a lifecycle record's state; one that sends no email (the renewal window) is done, not sent."""
    words = labels.RECORD_STATES if rules.sends_email(record.event) else labels.RECORD_STATES_WITHOUT_EMAIL
    return labels.label(words, record.state)


@register.filter
def author_name(author) -> str:
    """Name a stored author: a system author (the scheduler, the demo data) in the reader's language."""
    return labels.author_name(author)


@register.filter
def group_label(name: str) -> str:
    """Name a staff group by its label in the reader's language (its stored name is a key of the code)."""
    return permissions.group_label(name)


@register.filter
def cpf(value) -> str:
    """Show a stored CPF (11 digits) as Brazilians write it: ``529.982.247-25``."""
    return _unbroken(format_cpf(value))


@register.filter
def cnpj(value) -> str:
    """Show a stored CNPJ (14 digits) as Brazilians write it: ``11.222.333/0001-81``."""
    return _unbroken(format_cnpj(value))


@register.inclusion_tag("admin/backoffice/includes/send_error.html")
def send_error(text: str | None, cause: str | None = None) -> dict:
    """Show a stored send error as its cause in words, with what to do and the error's own text behind it.

    ``cause`` is the code stored with the text, if any; a text stored without one is classified now.
    """
    return {"text": text or "", "cause": send_error_cause(text, cause)}
