"""The lifecycle emails: rendered from ``templates/emails/<event>/``, sent with a Message-ID of their record."""

import re
import smtplib
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, timezone

from ..clock import from_iso
from ..dynamo.models import EnrollmentItem, LifecycleRecordItem
from ..rules import (
    ACCESS_PERIOD_REMINDER_30_DAYS,
    CERT_EXPIRATION_REMINDER_30_DAYS,
    COURSE_ARCHIVED,
    COURSE_EXPIRED,
    NO_ACTIVITY_7_DAYS,
    REMINDER_NO_ACCESS_3_DAYS,
)

# The enrollment date each email is about, by event.
_RELEVANT_DATE = {
    REMINDER_NO_ACCESS_3_DAYS: "access_expires_at",
    ACCESS_PERIOD_REMINDER_30_DAYS: "access_expires_at",
    COURSE_EXPIRED: "access_expires_at",
    NO_ACTIVITY_7_DAYS: "last_activity_at",
    CERT_EXPIRATION_REMINDER_30_DAYS: "certificate_expires_at",
    COURSE_ARCHIVED: "certificate_expires_at",
}

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class PermanentSendError(Exception):
    """The mail server refused the message for good (a 5xx answer): trying again cannot help."""


def message_id(record: LifecycleRecordItem) -> str:
    """Return the Message-ID of a record's email: the same for every attempt, new when the record is rescheduled."""
    scheduled = record.scheduled_for or record.due_at
    stamp = scheduled[:19].replace("-", "").replace(":", "")
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "backoffice.invalid"
    return f"<lifecycle.{record.event}.{_UNSAFE.sub('_', record.id)}.{stamp}@{domain}>"


def course_url(enrollment: EnrollmentItem) -> str:
    return settings.COURSE_URL_TEMPLATE.format(enrollment_id=enrollment.id, course_id=enrollment.course.id)


def email_context(record: LifecycleRecordItem, enrollment: EnrollmentItem) -> dict:
    """Return what the templates of ``record.event`` show; dates in the tenant's time zone (``TIME_ZONE``)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    raw = getattr(enrollment, _RELEVANT_DATE[record.event])
    relevant = timezone.localtime(from_iso(raw), tz) if raw else None
    return {
        "learner_name": enrollment.user.name,
        "course_name": enrollment.course.name,
        "tenant_name": enrollment.tenant_name,
        "course_url": course_url(enrollment),
        "date": relevant,
        "date_text": formats.date_format(relevant, "DATE_FORMAT") if relevant else "",
        "event": record.event,
    }


def lifecycle_email(record: LifecycleRecordItem, enrollment: EnrollmentItem) -> EmailMultiAlternatives:
    """Return the email of ``record``, plain text with an HTML alternative, to the learner."""
    context = email_context(record, enrollment)
    folder = f"emails/{record.event}"
    subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{folder}/body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[enrollment.user.email],
        headers={"Message-ID": message_id(record), "X-Lifecycle-Event": record.event},
    )
    message.attach_alternative(render_to_string(f"{folder}/body.html", context), "text/html")
    return message


def send_lifecycle_email(message: EmailMultiAlternatives) -> None:
    """Send ``message``; raise ``PermanentSendError`` when the server refuses this message for good.

    Only refusals of this recipient or this message (5xx to RCPT or DATA) are permanent;
    the server being down, slow, or refusing everyone (a 4xx, a bad login) is transient.
    """
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentSendError(f"recipient refused: {_describe_refusals(error.recipients)}") from error
        raise
    except smtplib.SMTPDataError as error:
        if 500 <= error.smtp_code < 600:
            raise PermanentSendError(f"message refused: {error.smtp_code} {_text(error.smtp_error)}") from error
        raise


def send_error_text(error: BaseException) -> str:
    """Return a one-line description of a send error, for the record's ``last_error``."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"recipient refused: {_describe_refusals(error.recipients)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"[:1000]


def _describe_refusals(recipients: dict) -> str:
    return "; ".join(f"{address} {code} {_text(text)}" for address, (code, text) in recipients.items())


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
