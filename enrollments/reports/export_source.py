"""The compliance report as a source of exports: the people of one bucket of a company's course, with their
situation and certificate reminder (``exports.files.Source``, registered when the reports app is ready)."""

from collections.abc import Iterator
from datetime import datetime

from django.utils.text import slugify
from django.utils.translation import pgettext, pgettext_lazy

from .. import labels
from .. import selectors as core_selectors
from ..exports.files import HEADER, Source, enrollment_values, register_source
from . import selectors

REPORT = "report"

REPORT_HEADER = (
    HEADER[:6]
    + (
        pgettext_lazy("CSV column", "situation"),
        pgettext_lazy("CSV column", "certificate reminder"),
    )
    + HEADER[6:]
)


def reminder_label(record) -> str:
    """Return the 30-day certificate reminder's state in words (``""`` without one)."""
    return labels.label(labels.RECORD_STATES, record.state) if record is not None else ""


def _rows(params: dict, now: datetime) -> Iterator[list]:
    situation = labels.label(labels.BUCKETS, params["bucket"])
    codes = core_selectors.course_esocial_codes()
    for enrollment, reminder in selectors.with_reminders(selectors.bucket_people(now=now, **params)):
        values = enrollment_values(enrollment, codes)
        yield values[:6] + [situation, reminder_label(reminder)] + values[6:]


def _count(params: dict, now: datetime, limit: int | None) -> int:
    return selectors.bucket_count(now=now, limit=limit, **params)


def _file_stem(params: dict) -> str:
    name = pgettext("file name", "compliance")
    return f"{name}-{slugify(params['tenant_id'])[:40]}-{params['bucket']}"


register_source(REPORT, Source(header=REPORT_HEADER, rows=_rows, count=_count, file_stem=_file_stem))
