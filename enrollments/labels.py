"""Words staff read for the codes stored in DynamoDB: states, lifecycle events, audit actions."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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

ACTIONS = {
    "ENROLLED": _("Enrolled"),
    "CANCELED": _("Canceled"),
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

BILLING = {"prepaid": _("Prepaid (buys seats)"), "postpaid": _("Postpaid (billed per enrollment)")}
BILLING_SHORT = {"prepaid": _("prepaid"), "postpaid": _("postpaid")}

SOURCES = {
    "form": _("Back-office form"),
    "api": _("API"),
    "staff": _("Back-office staff"),
    "command": _("Management command"),
    "scheduler": _("Scheduler"),
    "auto_renewal": _("Automatic renewal"),
}
# Sources that name the job that wrote them, ``<kind>:<job id>``.
JOB_SOURCES = {
    "csv": _("Import %(id)s"),
    "bulk_cancel": _("Bulk cancel %(id)s"),
    "renewal": _("Renewal %(id)s"),
}


def source_label(code: str | None) -> str:
    """Return where a change came from in words: a source of ``SOURCES``, or the job of a ``<kind>:<job id>``."""
    if code is None:
        return ""
    if code in SOURCES:
        return str(SOURCES[code])
    kind, colon, job_id = code.partition(":")
    if colon and kind in JOB_SOURCES:
        return str(JOB_SOURCES[kind]) % {"id": job_id}
    return code


# What a job's start and progress pages say while the task queue has not taken it (bulk cancels, exports).
JOB_WAITING_FOR_QUEUE = _(
    "The task queue does not answer right now: the job is stored and will start by itself within a minute of the "
    "queue coming back. Nothing needs to be done again."
)

# What became of a row of an import (the report's "result" column).
IMPORT_RESULTS = {
    "enrolled": _("Enrolled"),
    "invalid": _("Invalid"),
    "duplicate": _("Duplicate in the file"),
    "already_enrolled": _("Already enrolled"),
    "already_active": _("Already active in the course"),
    "cpf_taken": _("CPF of another person"),
    "cpf_mismatch": _("Email of a person with another CPF"),
    "no_vacancy_left": _("No seat left"),
}


# An import job's counters of rows.
IMPORT_COUNTERS = {
    "enrolled": _("Enrolled"),
    "already_enrolled": _("Already enrolled"),
    "already_active": _("Already active in the course"),
    "no_vacancy_left": _("No seat left"),
    "duplicates": _("Duplicates in the file"),
    "invalid": _("Invalid"),
    "failed": _("Other errors"),
}


# A company's or a course's audit events, and the fields their edits change.
CATALOG_ACTIONS = {
    "COMPANY_CREATED": _("Company created"),
    "COURSE_CREATED": _("Course created"),
    "ORDER_CREATED": _("Seats bought"),
    "COMPANY_UPDATED": _("Company edited"),
    "COURSE_UPDATED": _("Course edited"),
    "COURSE_RETIRED": _("Course retired: no new enrollments"),
    "COURSE_RESTORED": _("Course restored: takes new enrollments again"),
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
# The same, short, as the report's column headers.
BUCKETS_SHORT = {
    "valid": _("Valid"),
    "expiring_30": _("Expires ≤ 30 days"),
    "expiring_60": _("Expires 31–60 days"),
    "expiring_90": _("Expires 61–90 days"),
    "expired": _("Expired"),
    "in_progress": _("In progress"),
    "not_started": _("Not started"),
    "access_ended": _("Access ended, not completed"),
}


# Why a person cannot be renewed now (``rules.renewal_refusal``), on the renewal preview and a renewal job's results.
RENEWAL_REFUSALS = {
    "no_seat": _("No seat left (buy seats for the course)"),
    "already_renewed": _("Already renewed"),
    "active_enrollment": _("Has an active enrollment in the course"),
    "deduplication": _("Inside a deduplication window"),
    "not_due": _("Not due yet"),
}
# What became of each person of a renewal job: renewed, refused for one of the reasons above, or failed.
RENEWAL_RESULTS = {
    "renewed": pgettext_lazy("result of a certificate", "Renewed"),
    **RENEWAL_REFUSALS,
    "failed": _("Not renewed: an error"),
}
