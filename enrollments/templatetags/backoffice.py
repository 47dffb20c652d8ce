"""Filters for back-office pages: stored ISO times in the configured zone and the active language, and codes in words."""

from functools import partial

from django import template
from django.utils import formats, timezone

from .. import labels, rules
from ..clock import from_iso
from ..jobs.states import STATE_LABELS
from ..validators import format_cnpj, format_cpf

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


# ``{{ code|status_label }}`` and the like: the words for a stored code (``labels.label``).
_LABEL_FILTERS = {
    "status_label": labels.STATUSES,
    "event_label": labels.EVENTS,
    "record_state_label": labels.RECORD_STATES,
    "action_label": labels.ACTIONS,
    "billing_label": labels.BILLING,
    "import_state_label": STATE_LABELS,
    "import_result_label": labels.IMPORT_RESULTS,
    "bucket_label": labels.BUCKETS,
}
for _name, _words in _LABEL_FILTERS.items():
    register.filter(_name, partial(labels.label, _words))


@register.filter
def record_state(record) -> str:
    """Say a lifecycle record's state; one that sends no email (the renewal window) is done, not sent."""
    words = labels.RECORD_STATES if rules.sends_email(record.event) else labels.RECORD_STATES_WITHOUT_EMAIL
    return labels.label(words, record.state)


@register.filter
def source_label(code) -> str:
    """Say where a change came from: the form, the API, or the job (an import, a renewal) that made it."""
    return labels.source_label(code)


@register.filter
def author_name(author) -> str:
    """Name a stored author: a system author (the scheduler, the demo data) in the reader's language."""
    return labels.author_name(author)


@register.filter
def cpf(value) -> str:
    """Show a stored CPF (11 digits) as Brazilians write it: ``529.982.247-25``."""
    return format_cpf(value)


@register.filter
def cnpj(value) -> str:
    """Show a stored CNPJ (14 digits) as Brazilians write it: ``11.222.333/0001-81``."""
    return format_cnpj(value)
