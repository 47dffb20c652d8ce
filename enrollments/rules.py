"""The rules of enrollments, without I/O: states, who may be enrolled, what may change, which email goes out.

Services, views, forms and imports ask these functions instead of comparing
states themselves. Nothing here reads or writes DynamoDB.
"""

import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import labels
from .clock import from_iso, to_iso
from .exceptions import InvalidEnrollmentData
from .validators import normalize_cpf, normalize_email

# Ids come in, from URLs and forms, only in their own format: an id of another key space (``user#<email>``,
# ``cpf#<digits>``, ``lock``, ``vacancies#<company>``) would reach another kind of item.
# Enrollment, order and job ids are uuids: ``uuid4`` (forms' tokens, services), ``uuid5`` (imports' rows, seed_demo).
UUID_ID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# Company and course ids are the sort keys of their partitions: a form's uuid, or a name of letters, digits,
# ``-`` and ``_`` (seed_demo's ``demo-acme``, ``demo-nr35``); never a ``#``, which key spaces use.
CATALOG_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"


def is_uuid_id(value: object) -> bool:
    """Return whether ``value`` is an enrollment, order or job id (a uuid as ``str(uuid)`` writes it)."""
    return isinstance(value, str) and re.fullmatch(UUID_ID_PATTERN, value) is not None


def is_catalog_id(value: object) -> bool:
    """Return whether ``value`` is a company or course id."""
    return isinstance(value, str) and re.fullmatch(CATALOG_ID_PATTERN, value) is not None


# An enrollment's states: PENDING -> IN_PROGRESS -> COMPLETED -> ARCHIVED; PENDING or
# IN_PROGRESS -> EXPIRED; any state that is not terminal -> CANCELED.
PENDING = "PENDING"
IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
EXPIRED = "EXPIRED"
ARCHIVED = "ARCHIVED"
CANCELED = "CANCELED"
ACTIVE_STATES = (PENDING, IN_PROGRESS)
TERMINAL_STATES = (CANCELED, EXPIRED, ARCHIVED)

# A lifecycle record's states: RECORD_PENDING -> RECORD_SENDING (claimed) -> SENT, SKIPPED or
# FAILED; a send that failed for now goes back to RECORD_PENDING, due later.
RECORD_PENDING = "PENDING"
RECORD_SENDING = "SENDING"
RECORD_SENT = "SENT"
RECORD_SKIPPED = "SKIPPED"
RECORD_FAILED = "FAILED"

# A seat's use, on the order's ``generated_items#<enrollment_id>``.
SEAT_USED = "USED"
SEAT_ROLLBACK = "ROLLBACK"

# How a company pays: seats bought in orders, or billed per enrollment.
PREPAID = "prepaid"
POSTPAID = "postpaid"
BILLING_CHOICES = (PREPAID, POSTPAID)
# How often a company's HR contacts get the compliance digest (``digests.periods``); absent: never.
DIGEST_WEEKLY = "weekly"
DIGEST_MONTHLY = "monthly"
DIGEST_PERIODS = (DIGEST_WEEKLY, DIGEST_MONTHLY)
MAX_SEATS_PER_ORDER = 10_000
# Longest access period or certificate validity a course may have: a century keeps every date computable.
MAX_COURSE_DAYS = 36_500

# Where an enrollment or an audit event came from when a background job wrote it: ``csv:<job_id>`` for an import
# (the first release's word), ``bulk_cancel:<job_id>`` for a bulk cancel. Stored as written: never change them.
IMPORT_SOURCE = "csv"
BULK_CANCEL_SOURCE = "bulk_cancel"
RENEWAL_SOURCE = "renewal"
JOB_SOURCES = (IMPORT_SOURCE, BULK_CANCEL_SOURCE, RENEWAL_SOURCE)


# The audit action of an enrollment's creation. Its event is made from the enrollment item when read
# (``selectors.enrolled_event``); ``services.enroll`` stores one only for a staff member's enrollment.
ENROLLED_ACTION = "ENROLLED"


def job_source(kind: str, job_id: str) -> str:
    """Return the ``source`` a job of ``kind`` (``IMPORT_SOURCE``, ``BULK_CANCEL_SOURCE``) writes."""
    return f"{kind}:{job_id}"


def source_job(source: str | None) -> tuple[str, str] | None:
    """Return the kind and the job id a ``source`` written by a job names, or ``None`` for any other source."""
    kind, colon, job_id = (source or "").partition(":")
    return (kind, job_id) if colon and job_id and kind in JOB_SOURCES else None


# The lifecycle events (``schedules#<event>``) and when each is due.
REMINDER_NO_ACCESS_3_DAYS = "reminder_no_access_3_days"
ACCESS_PERIOD_REMINDER_30_DAYS = "access_period_reminder_30_days"
COURSE_EXPIRED = "course_expired"
NO_ACTIVITY_7_DAYS = "no_activity_7_days"
CERT_EXPIRATION_REMINDER_30_DAYS = "cert_expiration_reminder_30_days"
COURSE_ARCHIVED = "course_archived"
# Due at once: the welcome at enrollment, the cancel notice at a cancel whose learner staff chose to notify.
WELCOME = "welcome"
CANCEL_NOTICE = "cancel_notice"
EVENTS = (
    WELCOME,
    REMINDER_NO_ACCESS_3_DAYS,
    ACCESS_PERIOD_REMINDER_30_DAYS,
    COURSE_EXPIRED,
    NO_ACTIVITY_7_DAYS,
    CERT_EXPIRATION_REMINDER_30_DAYS,
    COURSE_ARCHIVED,
    CANCEL_NOTICE,
)
NO_ACCESS_DAYS = 3
ACCESS_REMINDER_DAYS = 30
NO_ACTIVITY_DAYS = 7
CERTIFICATE_REMINDER_DAYS = 30
# Not an email: when a certificate's renewal window opens (scheduled at completion), a company that renews
# automatically enrolls the person again (``decide``'s ``RENEW`` effect, done by the work the renewals app registers).
RENEWAL_WINDOW = "renewal_window"
# Every event a lifecycle record may carry: the emails, and the renewal window.
RECORD_EVENTS = (*EVENTS, RENEWAL_WINDOW)
# The effect of a record that sends no email and enrolls the person again instead.
RENEW = "RENEW"


@dataclass(frozen=True)
class Person:
    """The person to enroll, as staff typed it or a file gave it."""

    name: str
    email: str
    cpf: str | None = None


def clean_person(person: Person) -> Person:
    """Return the person with a name, a normalised email and CPF, or raise ``InvalidEnrollmentData``."""
    name = (person.name or "").strip()
    if not name:
        raise InvalidEnrollmentData(_("The person needs a name."), field="name")
    try:
        email = normalize_email(person.email)
    except ValidationError as error:
        raise InvalidEnrollmentData(error.messages[0], field="email") from None
    try:
        cpf = normalize_cpf(person.cpf)
    except ValidationError as error:
        raise InvalidEnrollmentData(error.messages[0], field="cpf") from None
    return Person(name=name, email=email, cpf=cpf)


def check_window(days: int | None, course) -> None:
    """Raise ``InvalidEnrollmentData`` unless ``days`` is a deduplication window ``course`` allows.

    A window is a whole number of days shorter than the course's access period
    (``None``: no window). Imports check each row's window with it too.
    """
    if days is None:
        return
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days < course.access_period_days:
        raise InvalidEnrollmentData(
            ngettext(
                "The deduplication window must be a whole number of days from 0 to %(max)s "
                "(the course's access period is %(period)s day).",
                "The deduplication window must be a whole number of days from 0 to %(max)s "
                "(the course's access period is %(period)s days).",
                course.access_period_days,
            )
            % {
                "max": number_format(course.access_period_days - 1, force_grouping=True),
                "period": number_format(course.access_period_days, force_grouping=True),
            },
            field="deduplication_window_days",
        )


def check_course_open(course) -> None:
    """Raise ``InvalidEnrollmentData`` if ``course`` is retired: it takes no new enrollments (existing ones go on)."""
    if course.retired_at:
        raise InvalidEnrollmentData(
            _("The course %(name)s is retired: it takes no new enrollments.") % {"name": course.name},
            field="course_id",
        )


def cancel_refusal(partition) -> str | None:
    """Return why the enrollment of ``partition`` cannot be canceled, in words for staff, or ``None`` when it can.

    ``partition`` is a ``selectors.EnrollmentPartition``: a cancel needs the
    enrollment's cancel policy, which the learner's first access removes.
    """
    enrollment = partition.enrollment
    if enrollment.status == CANCELED:
        return _("Enrollment %(id)s is already canceled.") % {"id": enrollment.id}
    if enrollment.status in TERMINAL_STATES:
        return _("Enrollment %(id)s is %(status)s and can no longer be canceled.") % {
            "id": enrollment.id,
            "status": labels.label(labels.STATUSES, enrollment.status).lower(),
        }
    if partition.cancel_policy is None:
        return _("Enrollment %(id)s can no longer be canceled: the learner has already accessed the course.") % {
            "id": enrollment.id
        }
    return None


def completion_refusal(enrollment) -> str | None:
    """Return why a completion cannot be recorded on ``enrollment``, or ``None`` when it can.

    Only a pending or in-progress enrollment can be completed: staff may record a
    completion done elsewhere (in class, say) before any access here.
    """
    if enrollment.status in ACTIVE_STATES:
        return None
    return _("Enrollment %(id)s is %(status)s: only a pending or in-progress enrollment can be completed.") % {
        "id": enrollment.id,
        "status": labels.label(labels.STATUSES, enrollment.status).lower(),
    }


def enrollment_schedule(
    *, access_period_days: int, enrolled_at: datetime, welcome: bool = False
) -> dict[str, datetime]:
    """Return the events scheduled at enrollment and when each is due; with ``welcome``, the welcome email, due at once."""
    access_ends = enrolled_at + timedelta(days=access_period_days)
    schedule = {WELCOME: enrolled_at} if welcome else {}
    schedule[REMINDER_NO_ACCESS_3_DAYS] = enrolled_at + timedelta(days=NO_ACCESS_DAYS)
    # A 30-day reminder only makes sense when the access period is longer than 30 days.
    if access_period_days > ACCESS_REMINDER_DAYS:
        schedule[ACCESS_PERIOD_REMINDER_30_DAYS] = access_ends - timedelta(days=ACCESS_REMINDER_DAYS)
    schedule[COURSE_EXPIRED] = access_ends
    return schedule


@dataclass(frozen=True)
class Decision:
    """Whether a record's email goes out, and what it does to the enrollment (``EXPIRED``, ``ARCHIVED``; ``RENEW``
    without an email: the work registered for it in ``services.delivery`` runs instead)."""

    send: bool
    effect: str | None = None
    skip_reason: str = ""


def _skip(reason: str) -> Decision:
    return Decision(send=False, skip_reason=reason)


def cancel_notice_schedule(*, canceled_at: datetime) -> dict[str, datetime]:
    """Return the events scheduled at a cancel that notifies the learner: the cancel notice, due at once."""
    return {CANCEL_NOTICE: canceled_at}


def decide(record, enrollment, *, now: datetime) -> Decision:
    """Return what firing lifecycle ``record`` does, given ``enrollment`` as it is at ``now``."""
    status, event = enrollment.status, record.event
    if event == CANCEL_NOTICE:
        return Decision(send=True) if status == CANCELED else _skip(f"the enrollment is {status}")
    if status == CANCELED:
        return _skip("the enrollment was canceled")
    if event == WELCOME:
        # A welcome still waiting when the access period ended (or the certificate expired) would mislead.
        return Decision(send=True) if status not in TERMINAL_STATES else _skip(f"the enrollment is {status}")
    active = status in ACTIVE_STATES
    if event == REMINDER_NO_ACCESS_3_DAYS:
        if status == PENDING:
            return Decision(send=True)
        accessed = status in (IN_PROGRESS, COMPLETED)
        return _skip("the learner has accessed the course" if accessed else f"the enrollment is {status}")
    if event == ACCESS_PERIOD_REMINDER_30_DAYS:
        return Decision(send=True) if active else _skip(f"the enrollment is {status}")
    if event == COURSE_EXPIRED:
        return Decision(send=True, effect=EXPIRED) if active else _skip(f"the enrollment is {status}")
    if event == NO_ACTIVITY_7_DAYS:
        if status != IN_PROGRESS:
            return _skip(f"the enrollment is {status}")
        last = enrollment.last_activity_at or enrollment.started_at
        if last and from_iso(last) + timedelta(days=NO_ACTIVITY_DAYS) > now:
            return _skip("the learner was active in the last 7 days")
        return Decision(send=True)
    if event == CERT_EXPIRATION_REMINDER_30_DAYS:
        return Decision(send=True) if status == COMPLETED else _skip(f"the enrollment is {status}")
    if event == COURSE_ARCHIVED:
        return Decision(send=True, effect=ARCHIVED) if status == COMPLETED else _skip(f"the enrollment is {status}")
    if event == RENEWAL_WINDOW:
        # Whether the company renews, and whether the person still needs it, is the renewal's to find out.
        return (
            Decision(send=False, effect=RENEW) if is_certificate(enrollment) else _skip(f"the enrollment is {status}")
        )
    return _skip(f"unknown event {event}")


def sends_email(event: str) -> bool:
    """Return whether a lifecycle record of ``event`` sends an email (every event but the renewal window)."""
    return event in EVENTS


# Compliance: where a person stands in a course, for a company's report. Buckets are exclusive: every person
# counted is in exactly one, so a course's buckets add up to its people.
VALID = "valid"
EXPIRING_30 = "expiring_30"
EXPIRING_60 = "expiring_60"
EXPIRING_90 = "expiring_90"
CERTIFICATE_EXPIRED = "expired"
STUDYING = "in_progress"
NOT_STARTED = "not_started"
ACCESS_ENDED = "access_ended"
BUCKETS = (VALID, EXPIRING_30, EXPIRING_60, EXPIRING_90, CERTIFICATE_EXPIRED, STUDYING, NOT_STARTED, ACCESS_ENDED)
EXPIRING_BUCKETS = (EXPIRING_30, EXPIRING_60, EXPIRING_90)
# Upper bounds, in days left, of the expiring buckets (a certificate with more left is valid).
_EXPIRING_DAYS = ((30, EXPIRING_30), (60, EXPIRING_60), (90, EXPIRING_90))


def compliance_bucket(enrollment, *, now: datetime) -> str | None:
    """Return the compliance bucket of ``enrollment`` at ``now``, or ``None`` for a canceled one (it counts nowhere).

    A certificate (COMPLETED or ARCHIVED) is expired once its expiry is past, even before the
    scheduler has archived it; else it expires within 30, 60 or 90 days, or is valid (a
    certificate without expiry stays valid). Without a certificate: access ended (EXPIRED, or
    an access period already over that the scheduler has not marked yet), in progress, or not
    started (PENDING).
    """
    status = enrollment.status
    if status == CANCELED:
        return None
    if status in (COMPLETED, ARCHIVED):
        expires = enrollment.certificate_expires_at
        if status == ARCHIVED or (expires and from_iso(expires) <= now):
            return CERTIFICATE_EXPIRED
        if not expires:
            return VALID
        left = from_iso(expires) - now
        for days, bucket in _EXPIRING_DAYS:
            if left <= timedelta(days=days):
                return bucket
        return VALID
    access_ends = enrollment.access_expires_at
    if status == EXPIRED or (access_ends and from_iso(access_ends) <= now):
        return ACCESS_ENDED
    return STUDYING if status == IN_PROGRESS else NOT_STARTED


def people_buckets(
    enrollments_newest_first: Iterable, *, now: datetime, person=lambda enrollment: enrollment.user.id
) -> Iterator[tuple[object, str]]:
    """Yield ``(enrollment, bucket)`` once per person of one course's enrollments read newest first.

    ``person`` tells people apart; over several courses at once, make it the person and the course.

    The enrollment that decides where a person stands is their latest one that is not
    canceled: a canceled re-enrollment neither counts nor hides the certificate of an
    earlier one, and a person whose every enrollment was canceled counts nowhere. People
    are told apart by ``user.id``; the set of people seen is all this keeps in memory.
    """
    decided: set = set()
    for enrollment in enrollments_newest_first:
        who = person(enrollment)
        if who in decided:
            continue
        bucket = compliance_bucket(enrollment, now=now)
        if bucket is None:
            continue
        decided.add(who)
        yield enrollment, bucket


# Renewal ("reciclagem"): NR courses are retaken before the certificate expires. A person is due for renewal in a
# course when their most recent certificate of it is inside the course's window (or expired) and no later enrollment
# of theirs in the course is active or completed.
RENEWAL_WINDOW_MAX_DAYS = 730
# Why a person cannot be renewed now (``renewal_refusal``), each with its words in ``labels.RENEWAL_REFUSALS``.
NO_SEAT = "no_seat"
ALREADY_RENEWED = "already_renewed"
ACTIVE_ENROLLMENT = "active_enrollment"
DEDUPLICATION = "deduplication"
NOT_DUE = "not_due"
COURSE_RETIRED = "course_retired"
RENEWAL_REFUSALS = (NO_SEAT, ALREADY_RENEWED, ACTIVE_ENROLLMENT, DEDUPLICATION, NOT_DUE, COURSE_RETIRED)
# The namespace of renewal ids: never change it, or a certificate renewed before could be renewed again.
RENEWAL_NAMESPACE = uuid.UUID("0b6c3f0e-7a51-5b8e-9c1d-2f4e6a8b0c21")
# Where each expiring bucket starts, in days left: a window longer than that may hold people due in the bucket.
_EXPIRING_FROM_DAYS = {EXPIRING_30: 0, EXPIRING_60: 30, EXPIRING_90: 60}


def renewal_window_days(course) -> int:
    """Return how many days before a certificate of ``course`` expires its renewal opens (the course's, or
    ``RENEWAL_WINDOW_DEFAULT_DAYS`` for a course that names none)."""
    days = getattr(course, "renewal_window_days", None)
    return int(days) if days else int(settings.RENEWAL_WINDOW_DEFAULT_DAYS)


def auto_renews(company, course_id: str) -> bool:
    """Return whether ``company`` renews certificates of the course automatically: its ``auto_renew`` is on, and
    its ``auto_renew_courses`` are empty (every course) or name the course."""
    if not getattr(company, "auto_renew", None):
        return False
    courses = getattr(company, "auto_renew_courses", None)
    return not courses or course_id in courses


def renewal_window_start(expires_at: datetime | str, window_days: int) -> datetime:
    """Return the moment a certificate expiring at ``expires_at`` becomes due for renewal: ``window_days`` before."""
    expires = from_iso(expires_at) if isinstance(expires_at, str) else expires_at
    return expires - timedelta(days=int(window_days))


def is_certificate(enrollment) -> bool:
    """Return whether ``enrollment`` holds a certificate (COMPLETED, or ARCHIVED once it expired)."""
    return enrollment.status in (COMPLETED, ARCHIVED)


def renewal_due(certificate, *, window_days: int, now: datetime) -> bool:
    """Return whether ``certificate`` is inside its renewal window or expired at ``now`` (a certificate without an
    expiry never is)."""
    expires = certificate.certificate_expires_at
    if not is_certificate(certificate) or not expires:
        return False
    return renewal_window_start(expires, window_days) <= now


def renewal_detail(renewed_id: str) -> str:
    """Return the detail of a renewal's ``ENROLLED`` audit event, in English as stored details are
    (``templatetags.audit`` says it in the reader's language)."""
    return f"renews {renewed_id}"


def renewal_enrollment_id(renewed_id: str) -> str:
    """Return the id of the enrollment that renews the enrollment ``renewed_id``: the same for every job, worker,
    retry and the automatic renewal, so a certificate is renewed once (the second write finds it:
    ``EnrollmentAlreadyExists``)."""
    return str(uuid.uuid5(RENEWAL_NAMESPACE, renewed_id))


def renewal_may_be_due(bucket: str, window_days: int) -> bool:
    """Return whether people of the report's ``bucket`` may be due for renewal in a course of this window."""
    if bucket == CERTIFICATE_EXPIRED:
        return True
    return bucket in _EXPIRING_FROM_DAYS and window_days > _EXPIRING_FROM_DAYS[bucket]


def renewal_refusal(
    certificate,
    *,
    now: datetime,
    window_days: int,
    later: Iterable = (),
    active: bool = False,
    locked_until: str | None = None,
    seat_free: bool = True,
    retired: bool = False,
) -> str | None:
    """Return why ``certificate``'s person cannot be enrolled again in its course now (a code of
    ``RENEWAL_REFUSALS``), or ``None`` when they can.

    ``later`` are the person's enrollments in the course made after it, any status; ``active`` says whether the
    person holds an active enrollment in the course (at any company); ``locked_until`` is when their deduplication
    lock in the course lifts (an ISO time, past or none when free); ``seat_free`` whether a seat is left for them;
    ``retired`` whether the course is retired (it takes no new enrollments).
    A renewal of this certificate (its id, even canceled) or a later certificate means already renewed.
    """
    renewal_id = renewal_enrollment_id(certificate.id)
    later = list(later)
    if any(
        enrollment.id == renewal_id
        or getattr(enrollment, "renews", None) == certificate.id
        or is_certificate(enrollment)
        for enrollment in later
    ):
        return ALREADY_RENEWED
    if retired:
        return COURSE_RETIRED
    if active or any(enrollment.status in ACTIVE_STATES for enrollment in later):
        return ACTIVE_ENROLLMENT
    if not renewal_due(certificate, window_days=window_days, now=now):
        return NOT_DUE
    if locked_until and locked_until > to_iso(now):
        return DEDUPLICATION
    if not seat_free:
        return NO_SEAT
    return None


# Name search: a person's name as words, case and accents ignored ("João" and "JOAO" are "joao").

# Words of a name the index holds: a name of more words is found by its first ones.
NAME_WORDS_INDEXED = 8
# Characters of a word the index holds: a longer word is found by its first ones, then checked in full.
NAME_WORD_CHARS = 32
# The shortest prefix a name search looks up (the index partitions by a word's first two characters).
NAME_SEARCH_MIN_CHARS = 2
# Particles of Portuguese names, in most names: left out of the index, so they neither fill the
# "da"/"do" partitions nor bury "Daniel" under every "da Silva"; a search still checks them.
NAME_PARTICLES = frozenset({"da", "das", "de", "do", "dos"})
_WORD = re.compile(r"[^\W_]+")


def name_words(text: str) -> list[str]:
    """Return the words of ``text``, normalized: NFKD, combining marks dropped, casefolded; split on the rest."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text or "").casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(plain)


def name_index_words(name: str) -> list[str]:
    """Return the distinct words of a name the search index holds, in name order.

    Words of one character and particles are left out; words are cut at
    ``NAME_WORD_CHARS`` and at most ``NAME_WORDS_INDEXED`` are kept.
    """
    kept: list[str] = []
    for word in name_words(name):
        word = word[:NAME_WORD_CHARS]
        if len(word) >= NAME_SEARCH_MIN_CHARS and word not in NAME_PARTICLES and word not in kept:
            kept.append(word)
            if len(kept) == NAME_WORDS_INDEXED:
                break
    return kept


def name_lookup_word(words: list[str]) -> str | None:
    """Return the word of a search the index looks up: the longest that is not a particle, cut at ``NAME_WORD_CHARS``.

    ``None`` when no word has ``NAME_SEARCH_MIN_CHARS`` characters.
    """
    usable = [word for word in words if len(word) >= NAME_SEARCH_MIN_CHARS]
    if not usable:
        return None
    best = max(usable, key=lambda word: (word not in NAME_PARTICLES, len(word)))
    return best[:NAME_WORD_CHARS]


def name_matches(name: str, words: list[str]) -> bool:
    """Return whether every search word starts some word of ``name``."""
    own = name_words(name)
    return all(any(word.startswith(search) for word in own) for search in words)
