"""The lifecycle emails: rendered from ``templates/emails/<event>/`` in the company's language, sent with a Message-ID of their record."""

import re
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from .. import selectors
from ..clock import from_iso
from ..dynamo.models import EnrollmentItem, LifecycleRecordItem
from ..exceptions import CompanyNotFound
from ..rules import (
    ACCESS_PERIOD_REMINDER_30_DAYS,
    CANCEL_NOTICE,
    CERT_EXPIRATION_REMINDER_30_DAYS,
    COURSE_ARCHIVED,
    COURSE_EXPIRED,
    NO_ACTIVITY_7_DAYS,
    REMINDER_NO_ACCESS_3_DAYS,
    WELCOME,
)
from .catalog import company_language, default_language

# The enrollment date each email is about, by event.
_RELEVANT_DATE = {
    WELCOME: "access_expires_at",
    REMINDER_NO_ACCESS_3_DAYS: "access_expires_at",
    ACCESS_PERIOD_REMINDER_30_DAYS: "access_expires_at",
    COURSE_EXPIRED: "access_expires_at",
    NO_ACTIVITY_7_DAYS: "last_activity_at",
    CERT_EXPIRATION_REMINDER_30_DAYS: "certificate_expires_at",
    COURSE_ARCHIVED: "certificate_expires_at",
    CANCEL_NOTICE: "canceled_at",
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


# Languages that write month names in lower case ("27 de novembro de 2027") where Django's catalog capitalises them.
_LOWER_CASE_MONTHS = frozenset({"pt"})


def date_in_words(moment: datetime) -> str:
    """Return the date of ``moment`` in words in the active language: "Nov. 27, 2027", "27 de novembro de 2027"."""
    text = formats.date_format(moment, "DATE_FORMAT")
    if translation.get_language().partition("-")[0] in _LOWER_CASE_MONTHS:
        month = formats.date_format(moment, "F")
        text = text.replace(month, month.lower())
    return text


def email_context(record: LifecycleRecordItem, enrollment: EnrollmentItem) -> dict:
    """Return what the templates of ``record.event`` show; dates in the tenant's time zone (``TIME_ZONE``).

    Call it in the email's language (``translation.override``): the date is in its words.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    raw = getattr(enrollment, _RELEVANT_DATE[record.event])
    relevant = timezone.localtime(from_iso(raw), tz) if raw else None
    return {
        "learner_name": enrollment.user.name,
        "course_name": enrollment.course.name,
        "tenant_name": enrollment.tenant_name,
        "course_url": course_url(enrollment),
        "date": relevant,
        "date_text": date_in_words(relevant) if relevant else "",
        "event": record.event,
        # A renewal ("reciclagem"): its welcome says the course is taken again to renew the certificate.
        "renewal": bool(enrollment.renews),
    }


def email_language(enrollment: EnrollmentItem) -> str:
    """Return the language of ``enrollment``'s emails: its company's, read now.

    Read when the email is rendered rather than copied onto the enrollment or its records:
    a company whose language staff correct gets its pending emails in the new one, and the
    enrollment's writes stay as they are, for one more GetItem per email.
    """
    try:
        return company_language(selectors.company_get(enrollment.tenant_id))
    except CompanyNotFound:
        # Companies are never deleted; should one be missing, its learner still gets the email.
        return default_language()


@dataclass(frozen=True)
class RenderedEmail:
    """A lifecycle email as its learner gets it: ``language`` is a code of ``LANGUAGES``.

    ``text`` and ``html`` come marked safe from the template engine: a page that shows them escapes them.
    """

    event: str
    language: str
    subject: str
    text: str
    html: str


def lifecycle_email_render(
    *, record: LifecycleRecordItem, enrollment: EnrollmentItem, language: str | None = None
) -> RenderedEmail:
    """Render ``record``'s email in ``language`` (by default the company's); send nothing, write nothing."""
    language = language or email_language(enrollment)
    folder = f"emails/{record.event}"
    with translation.override(language):
        context = email_context(record, enrollment)
        return RenderedEmail(
            event=record.event,
            language=language,
            subject=" ".join(render_to_string(f"{folder}/subject.txt", context).split()),
            text=render_to_string(f"{folder}/body.txt", context),
            html=render_to_string(f"{folder}/body.html", context),
        )


def lifecycle_email(record: LifecycleRecordItem, enrollment: EnrollmentItem) -> EmailMultiAlternatives:
    """Return the email of ``record``, plain text with an HTML alternative, to the learner, in its company's language."""
    rendered = lifecycle_email_render(record=record, enrollment=enrollment)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[enrollment.user.email],
        headers={
            "Message-ID": message_id(record),
            "X-Lifecycle-Event": record.event,
            "Content-Language": rendered.language,
        },
    )
    message.attach_alternative(rendered.html, "text/html")
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
