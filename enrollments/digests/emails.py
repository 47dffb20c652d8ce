"""The compliance digest's email: rendered from ``templates/emails/compliance_digest/`` in a contact's language, with
its spreadsheet of certificates attached; no link into the back office.
"""

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from .. import labels
from ..clock import from_iso
from ..exports.files import CONTENT_TYPES, XLSX, write_xlsx
from ..services.emails import date_in_words
from ..validators import format_cpf
from . import periods
from .selectors import DIGEST_BUCKETS, PENDING_RENEWALS, DigestSummary

ATTACHMENT_HEADER = (
    pgettext_lazy("CSV column", "name"),
    pgettext_lazy("CSV column", "email"),
    pgettext_lazy("CSV column", "cpf"),
    pgettext_lazy("CSV column", "course"),
    pgettext_lazy("CSV column", "situation"),
    pgettext_lazy("CSV column", "completed at"),
    pgettext_lazy("CSV column", "certificate expires on"),
)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class RenderedDigest:
    """A digest as one language's contacts get it, its spreadsheet included; ``language`` is a code of ``LANGUAGES``.

    ``text`` and ``html`` come marked safe from the template engine: a page that shows them escapes them.
    """

    language: str
    subject: str
    text: str
    html: str
    attachment_name: str
    attachment: bytes
    attachment_rows: int


def _local_day(value: str | None) -> date | None:
    return from_iso(value).astimezone(ZoneInfo(settings.TIME_ZONE)).date() if value else None


def _month_in_words(day: date) -> str:
    """Return a month and year in the active language: "December 2026", "dezembro de 2026"."""
    text = formats.date_format(day, "YEAR_MONTH_FORMAT")
    if translation.get_language().partition("-")[0] == "pt":
        month = formats.date_format(day, "F")
        text = text.replace(month, month.lower())
    return text


def period_in_words(period: str, *, created_at: datetime) -> str:
    """Return what ``period`` covers in the active language: a week, a month, or the day a digest was asked for."""
    cadence = periods.cadence_of(period)
    days = periods.period_days(period)
    if cadence == periods.WEEKLY:
        first, last = days
        return _("week %(week)s of %(year)s (%(first)s to %(last)s)") % {
            "week": first.isocalendar().week,
            "year": first.isocalendar().year,
            "first": formats.date_format(first, "SHORT_DATE_FORMAT"),
            "last": formats.date_format(last, "SHORT_DATE_FORMAT"),
        }
    if cadence == periods.MONTHLY:
        return _month_in_words(days[0])
    return _("on request, %(date)s") % {"date": date_in_words(created_at.astimezone(ZoneInfo(settings.TIME_ZONE)))}


def attachment_name(summary: DigestSummary, period: str) -> str:
    """Return the spreadsheet's file name in the active language: ``resumo-de-conformidade-<company>-<period>.xlsx``."""
    stem = pgettext("file name", "compliance-digest")
    when = period if periods.cadence_of(period) != periods.NOW else summary.now.strftime("%Y-%m-%d")
    return f"{stem}-{slugify(summary.company.name)[:40] or summary.company.id}-{when}.{XLSX}"


def attachment_rows(summary: DigestSummary):
    """Yield the spreadsheet's rows (typed values) in the active language."""
    for row in summary.attention:
        yield [
            row.name,
            row.email,
            format_cpf(row.cpf) if row.cpf else None,
            row.course_name,
            str(labels.label(labels.BUCKETS, row.bucket)),
            _local_day(row.completed_at),
            _local_day(row.certificate_expires_at),
        ]


def _columns() -> list[tuple[str, str]]:
    return [(bucket, str(labels.BUCKETS_SHORT[bucket])) for bucket in DIGEST_BUCKETS] + [
        (PENDING_RENEWALS, _("Pending renewals"))
    ]


def _legend() -> list[tuple[str, str]]:
    """Return each column's name and what it counts, for the columns whose name does not say it all."""
    named = [(str(labels.BUCKETS_SHORT[bucket]), str(labels.BUCKETS[bucket])) for bucket in DIGEST_BUCKETS]
    return [(name, meaning) for name, meaning in named if name != meaning] + [
        (
            _("Pending renewals"),
            _(
                "People whose latest certificate is inside the course's renewal window or expired, "
                "with no newer enrollment in the course."
            ),
        )
    ]


def digest_context(summary: DigestSummary, *, period: str, created_at: datetime) -> dict:
    """Return what the templates show, in the active language."""
    columns = _columns()
    names = [label for _key, label in columns]
    rows = []
    for row in summary.rows:
        cells = [row.counts[key] for key, _label in columns]
        rows.append({"course": row.course.name, "cells": cells, "pairs": list(zip(names, cells, strict=True))})
    return {
        "company_name": summary.company.name,
        "period_text": period_in_words(period, created_at=created_at),
        "date_text": date_in_words(summary.now.astimezone(ZoneInfo(settings.TIME_ZONE))),
        "columns": names,
        "rows": rows,
        "totals": [summary.total(key) for key, _label in columns],
        "legend": _legend(),
        "attention_count": len(summary.attention),
    }


def digest_render(summary: DigestSummary, *, period: str, language: str, created_at: datetime) -> RenderedDigest:
    """Render the digest of ``summary`` for ``period`` in ``language``, its spreadsheet included; send nothing."""
    folder = "emails/compliance_digest"
    with translation.override(language):
        context = digest_context(summary, period=period, created_at=created_at)
        name = attachment_name(summary, period)
        context["attachment_name"] = name
        out = io.BytesIO()
        count = write_xlsx(
            ATTACHMENT_HEADER, attachment_rows(summary), out, title=pgettext("sheet name", "Certificates")
        )
        return RenderedDigest(
            language=language,
            subject=" ".join(render_to_string(f"{folder}/subject.txt", context).split()),
            text=render_to_string(f"{folder}/body.txt", context),
            html=render_to_string(f"{folder}/body.html", context),
            attachment_name=name,
            attachment=out.getvalue(),
            attachment_rows=count,
        )


def digest_message_id(*, company_id: str, period: str, email: str) -> str:
    """Return the Message-ID of a digest to one contact: the same on every attempt, so a repeat is recognisable."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "backoffice.invalid"
    recipient = hashlib.sha256(email.encode()).hexdigest()[:16]
    return f"<digest.{_UNSAFE.sub('_', company_id)}.{_UNSAFE.sub('_', period)}.{recipient}@{domain}>"


def digest_message(rendered: RenderedDigest, *, to: str, message_id: str, period: str) -> EmailMultiAlternatives:
    """Return the digest email to one contact: plain text with an HTML alternative and the spreadsheet."""
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": message_id, "X-Compliance-Digest": period, "Content-Language": rendered.language},
    )
    message.attach_alternative(rendered.html, "text/html")
    message.attach(rendered.attachment_name, rendered.attachment, CONTENT_TYPES[XLSX])
    return message
