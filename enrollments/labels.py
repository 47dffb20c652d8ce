"""Words staff read for the codes stored in DynamoDB: states, lifecycle events, audit actions, counts.

Portuguese makes a label agree with the noun it qualifies (docs/glossary.md): where one English word qualifies
nouns of two genders or numbers, each use has its own context ("Canceled" of an enrollment is "Cancelada", as a
count of enrollments "Canceladas").
"""

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from .clock import from_iso

STATUSES = {
    "PENDING": _("Pending (not accessed yet)"),
    "IN_PROGRESS": _("In progress"),
    "COMPLETED": _("Completed"),
    "EXPIRED": _("Expired"),
    "ARCHIVED": _("Archived"),
    "CANCELED": _("Canceled"),
}

EVENTS = {
    "welcome": _("Welcome"),
    "reminder_no_access_3_days": _("Reminder: no access after 3 days"),
    "access_period_reminder_30_days": _("Reminder: access ends in 30 days"),
    "course_expired": _("Access period over"),
    "no_activity_7_days": _("Reminder: no activity for 7 days"),
    "cert_expiration_reminder_30_days": _("Reminder: certificate expires in 30 days"),
    "course_archived": _("Certificate expired (archive)"),
    "cancel_notice": _("Cancel notice"),
    "renewal_window": _("Renewal window opens (automatic renewal)"),
}

RECORD_STATES = {
    "PENDING": _("Pending"),
    "SENDING": _("Sending"),
    "SENT": _("Sent"),
    "SKIPPED": _("Skipped"),
    "FAILED": _("Failed"),
}
# The states that read otherwise on a record that sends no email (the renewal window).
RECORD_STATES_WITHOUT_EMAIL = {
    **RECORD_STATES,
    "SENT": pgettext_lazy("lifecycle record", "Done"),
    "SENDING": _("In progress"),
}

# What happened to an enrollment, on its audit trail and in the recent actions ("Matrícula realizada").
ACTIONS = {
    "ENROLLED": pgettext_lazy("audit action", "Enrolled"),
    "CANCELED": pgettext_lazy("audit action", "Canceled"),
    "COMPLETED": _("Completion recorded"),
    "ACCESSED": _("First access"),
    "ACTIVITY": _("Activity"),
    "EXPIRED": _("Expired (access period over)"),
    "ARCHIVED": _("Archived (certificate expired)"),
    "LIFECYCLE_SENT": _("Email sent"),
    "LIFECYCLE_SKIPPED": _("Email skipped"),
    "LIFECYCLE_RETRY": _("Email failed, will retry"),
    "LIFECYCLE_FAILED": _("Email failed for good"),
    "LIFECYCLE_RESENT": _("Email sent again"),
    "AUTO_RENEWED": _("Renewed automatically"),
    "RENEWAL_PENDING": _("Automatic renewal waiting for a seat"),
    "RENEWAL_SKIPPED": _("Automatic renewal skipped"),
    "RENEWAL_POSTPONED": _("Automatic renewal postponed"),
    "RENEWAL_PENDING_DROPPED": _("No longer waiting for a seat to be renewed"),
}

# A company's billing: in Portuguese the words agree with "a cobrança" and "a empresa" (both feminine).
BILLING = {"prepaid": _("Prepaid (buys seats)"), "postpaid": _("Postpaid (billed per enrollment)")}
BILLING_SHORT = {"prepaid": _("prepaid"), "postpaid": _("postpaid")}

# How often a company's HR contacts get the compliance digest (``digests.periods``); absent: never.
DIGEST_PERIODS = {
    "": _("Never"),
    "weekly": _("Weekly (Mondays, from 8:00)"),
    "monthly": _("Monthly (on the 1st, from 8:00)"),
}

# The events of a webhook endpoint (``services.enrollment_events.EVENT_TYPES``), as the pages name them.
WEBHOOK_EVENTS = {
    "enrollment.created": _("Enrollment created"),
    "enrollment.completed": _("Enrollment completed (with the certificate's expiry)"),
    "enrollment.canceled": _("Enrollment canceled (with the reason)"),
    "certificate.renewal_window": _("Certificate entering its renewal window"),
}

SOURCES = {
    "form": _("Back-office form"),
    "api": _("API"),
    "staff": _("Back-office staff"),
    "command": _("Management command"),
    "scheduler": _("Scheduler"),
    "auto_renewal": _("Automatic renewal"),
}

# What a job's start and progress pages say while the task queue has not taken it (bulk cancels, exports).
JOB_WAITING_FOR_QUEUE = _(
    "The task queue does not answer right now: the job is stored and will start by itself within a minute of the "
    "queue coming back. Nothing needs to be done again."
)

# What became of a row of an import (the preview's "Result" column): words about the row, "a linha" in Portuguese.
IMPORT_RESULTS = {
    "enrolled": pgettext_lazy("result of a row", "Enrolled"),
    "invalid": pgettext_lazy("result of a row", "Invalid"),
    "duplicate": _("Duplicate in the file"),
    "already_enrolled": pgettext_lazy("result of a row", "Already enrolled"),
    "already_active": pgettext_lazy("result of a row", "Already active in the course"),
    "cpf_taken": _("CPF of another person"),
    "cpf_mismatch": _("Email of a person with another CPF"),
    "no_vacancy_left": _("No seat left"),
}
# Any other result: a domain error's ``code`` (DynamoDB unavailable on the last try, a retired course...).
IMPORT_RESULT_OTHER = _("Other error")


def import_result_label(code: str | None) -> str:
    """Return the words for an import row's result: its own, or "Other error" for a result without words."""
    if code is None:
        return ""
    return str(IMPORT_RESULTS.get(code, IMPORT_RESULT_OTHER))


# An import job's counters of rows, as labels beside their numbers: words about rows, "as linhas" in Portuguese.
IMPORT_COUNTERS = {
    "enrolled": pgettext_lazy("count of rows", "Enrolled"),
    "already_enrolled": pgettext_lazy("count of rows", "Already enrolled"),
    "already_active": pgettext_lazy("count of rows", "Already active in the course"),
    "no_vacancy_left": _("No seat left"),
    "duplicates": _("Duplicates in the file"),
    "invalid": pgettext_lazy("count of rows", "Invalid"),
    "failed": _("Other errors"),
}

# The same counts of rows inside a sentence ("2 inválidas, 1 duplicada no arquivo"): each number with its own
# words, which agree with it. ``counted`` says one, ``counts_text`` several.
ROW_COUNTS = {
    "rows": ngettext_lazy("%(count)s row", "%(count)s rows", "count"),
    "to_enroll": ngettext_lazy("%(count)s to enroll", "%(count)s to enroll", "count"),
    "enrolled": ngettext_lazy("%(count)s enrolled", "%(count)s enrolled", "count"),
    "invalid": ngettext_lazy("%(count)s invalid", "%(count)s invalid", "count"),
    "duplicates": ngettext_lazy("%(count)s duplicate in the file", "%(count)s duplicates in the file", "count"),
    "already_enrolled": ngettext_lazy("%(count)s already enrolled", "%(count)s already enrolled", "count"),
    "already_active": ngettext_lazy(
        "%(count)s already active in the course", "%(count)s already active in the course", "count"
    ),
    "no_vacancy_left": ngettext_lazy("%(count)s without a seat", "%(count)s without a seat", "count"),
    "failed": ngettext_lazy("%(count)s with another error", "%(count)s with other errors", "count"),
    "seats_to_use": ngettext_lazy("%(count)s seat to use", "%(count)s seats to use", "count"),
    "seats_short": ngettext_lazy("%(count)s seat short", "%(count)s seats short", "count"),
}


class _Number(int):
    """A count that ngettext reads as a number and a message prints as the active language writes it ("1.234")."""

    def __str__(self) -> str:
        return formats.number_format(int(self), force_grouping=True)


def counted(message, count: int) -> str:
    """Return ``message``, an ``ngettext_lazy(..., "count")``, said of ``count``: the form that agrees with the
    number (in pt-BR, 0 is plural: "0 vagas"), the number grouped as the language writes it."""
    return message % {"count": _Number(count)}


def counts_text(messages: dict, counts: dict) -> str:
    """Return the counts of ``counts`` (name -> number), each said by its message of ``messages``, in a list."""
    return ", ".join(counted(messages[name], number) for name, number in counts.items())


# A company's or a course's audit events, and the fields their edits change.
CATALOG_ACTIONS = {
    "COMPANY_CREATED": _("Company created"),
    "COURSE_CREATED": _("Course created"),
    "ORDER_CREATED": _("Seats bought"),
    "COMPANY_UPDATED": _("Company edited"),
    "COURSE_UPDATED": _("Course edited"),
    "COURSE_RETIRED": _("Course retired: no new enrollments"),
    "COURSE_RESTORED": _("Course restored: takes new enrollments again"),
    "CONTACT_ADDED": _("HR contact added"),
    "CONTACT_UPDATED": _("HR contact edited"),
    "CONTACT_REMOVED": _("HR contact removed"),
    "DIGEST_REQUESTED": _("Compliance digest sent on request"),
    "DIGEST_RESENT": _("Failed compliance digest sent again"),
    "API_KEY_CREATED": _("API key created"),
    "API_KEY_REVOKED": _("API key revoked"),
    "WEBHOOK_REGISTERED": _("Webhook endpoint registered"),
    "WEBHOOK_UPDATED": _("Webhook endpoint edited"),
    "WEBHOOK_SECRET_ROTATED": _("Webhook signing secret replaced"),
    "WEBHOOK_EVENT_RESENT": _("Webhook event sent again"),
}

CATALOG_FIELDS = {
    "name": _("Name"),
    "cnpj": _("CNPJ"),
    "language": _("Email language"),
    "access_period_days": _("Access period (days)"),
    "certificate_validity_days": _("Certificate validity (days)"),
    "renewal_window_days": _("Renewal window (days before expiry)"),
    "esocial_code": _("eSocial code (table 28)"),
    "auto_renew": _("Renews certificates automatically"),
    "auto_renew_courses": _("Automatic renewal: courses"),
    "course": _("Course"),
    "seats": _("Seats"),
    "digest_period": _("Compliance digest"),
    "contact": _("HR contact"),
    "contact_language": _("Language"),
    "receives_digest": _("Receives the digest"),
    "period": _("Period"),
    "api_key": _("API key"),
    "webhook_url": _("Webhook address"),
    "webhook_events": _("Webhook events"),
    "webhook_active": _("Webhook active"),
    "webhook_event": _("Webhook event"),
}


# Authors the code writes as itself (``services.common.SYSTEM``, ``management.demo.SEEDER``, ...): their stored
# names are English, so pages name them by their id in the reader's language.
SYSTEM_AUTHORS = {
    "system": _("Scheduler"),
    "seed_demo": _("Demo data"),
    "course_player": _("Course player"),
    "manage.py": _("Management command"),
}


def author_name(author) -> str:
    """Return the name pages show for a stored author: a system author's in the reader's language, else as stored."""
    if author is None:
        return ""
    return str(SYSTEM_AUTHORS.get(author.id, author.name or ""))


def label(labels: dict, code: str | None) -> str:
    """Return the words for ``code``, or the code itself when it has none (a newer code)."""
    if code is None:
        return ""
    return labels.get(code, code)


# Where a person stands in a course, on the compliance report (``rules.compliance_bucket``).
BUCKETS = {
    "valid": _("Valid certificate (over 90 days left)"),
    "expiring_30": _("Certificate expires within 30 days"),
    "expiring_60": _("Certificate expires in 31 to 60 days"),
    "expiring_90": _("Certificate expires in 61 to 90 days"),
    "expired": _("Certificate expired"),
    "in_progress": _("In progress"),
    "not_started": _("Not started"),
    "access_ended": _("Access ended without completion"),
}
# The same, short, as the report's column headers: in Portuguese they agree with "o certificado" and "o curso"
# (both masculine): "Válido", "Expirado", "Não iniciado".
BUCKETS_SHORT = {
    "valid": _("Valid"),
    "expiring_30": _("Expires ≤ 30 days"),
    "expiring_60": _("Expires 31–60 days"),
    "expiring_90": _("Expires 61–90 days"),
    "expired": pgettext_lazy("of a certificate", "Expired"),
    "in_progress": _("In progress"),
    "not_started": _("Not started"),
    "access_ended": _("Access ended, not completed"),
}


def order_name(order) -> str:
    """Name an order of seats as the company knows it, without an article (sentences put their own: "do pedido",
    "ao pedido"): by its purchase-order reference, else by the day it was bought; never by its id."""
    if order is None:
        return str(pgettext_lazy("an order that cannot be found", "order"))
    if order.purchase_order:
        return _("order “%(reference)s”") % {"reference": order.purchase_order}
    bought = timezone.localtime(from_iso(order.created_at))
    return _("order of %(date)s") % {"date": formats.date_format(bought, "SHORT_DATE_FORMAT")}


# Why a person cannot be renewed now (``rules.renewal_refusal``), on the renewal preview and a renewal job's results.
RENEWAL_REFUSALS = {
    "no_seat": _("No seat left (buy seats for the course)"),
    "already_renewed": _("Already renewed"),
    "active_enrollment": _("Has an active enrollment in the course"),
    "deduplication": _("Inside a deduplication window"),
    "not_due": _("Not due yet"),
    "course_retired": _("The course is retired: it takes no new enrollments"),
}
# What became of each person of a renewal job: renewed, refused for one of the reasons above, or failed.
RENEWAL_RESULTS = {
    "renewed": pgettext_lazy("result of a certificate", "Renewed"),
    **RENEWAL_REFUSALS,
    "failed": _("Not renewed: an error"),
}
