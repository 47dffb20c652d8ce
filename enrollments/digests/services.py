"""The compliance digest's records: created once per company and period, asked for now, sent again after failing.

Beat's ``digests_tick`` puts the digest of each company whose period is due (``periods.due_period``)
with a condition that it does not exist, so two ticks create it once, together with a marker in
``digests#active``; then it hands every active digest that is due to ``dispatch``, and a worker
sends it (``digests.delivery``). "Send now" puts a digest of a period of its own, due at once;
"send again" puts a failed one back to PENDING. Each staff action is audited in the company's history.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from .. import clock
from ..clock import from_iso, to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import ActiveDigestItem, DigestFailureItem, DigestItem
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import AlreadyCreated, ConcurrentChange, InvalidEnrollmentData, InvalidTransition
from ..rules import RECORD_FAILED, RECORD_PENDING, RECORD_SENDING
from ..selectors import company_get, company_list
from ..services.catalog import company_history_event
from ..services.common import Author
from . import selectors
from .periods import NOW, adhoc_period, due_period

logger = logging.getLogger(__name__)

# What a company's history records of its digests (``CatalogAuditEventItem.action``); the scheduler's own digests
# are their own record.
DIGEST_REQUESTED = "DIGEST_REQUESTED"
DIGEST_RESENT = "DIGEST_RESENT"
# What sending a failed digest again came to.
RESENT = "resent"
ALREADY_RESENT = "already_resent"

Dispatch = Callable[[str, str], object]
# A digest asked for that meets another transaction on the same items reads again, this many times.
_CREATE_TRIES = 5


@dataclass
class DigestTickReport:
    """What one digest tick did: the digests it created and those it handed to ``dispatch``."""

    now: datetime
    created: list[tuple[str, str]] = field(default_factory=list)
    handed_out: list[tuple[str, str]] = field(default_factory=list)


def _new_digest(*, company_id: str, period: str, cadence: str, now_iso: str, author: Author | None = None):
    return DigestItem(
        *keys.digest(company_id, period),
        created_at=now_iso,
        company_id=company_id,
        period=period,
        cadence=cadence,
        state=RECORD_PENDING,
        due_at=now_iso,
        updated_at=now_iso,
        author=author.as_attribute() if author is not None else None,
    )


def _marker(company_id: str, period: str, now_iso: str) -> ActiveDigestItem:
    return ActiveDigestItem(*keys.active_digest(company_id, period), created_at=now_iso)


@storage_errors_as_domain_errors
def digests_tick(*, now: datetime, dispatch: Dispatch) -> DigestTickReport:
    """Create the digest of every company whose period is due at ``now``, once, then hand each digest due to
    ``dispatch(company_id, period)``.

    Reads the ``companies`` partition, one BatchGet of the due periods' digests, and the active markers
    with one BatchGet of their digests: never a Scan. Handing a digest out twice is harmless: a worker
    claims it before it sends.
    """
    if now.tzinfo is None:
        raise ValueError("The tick needs an aware datetime.")
    report = DigestTickReport(now=now)
    report.created = _create_due(now)
    now_iso = to_iso(now)
    for digest in selectors.active_digests():
        if digest.state in (RECORD_PENDING, RECORD_SENDING) and digest.due_at <= now_iso:
            dispatch(digest.company_id, digest.period)
            report.handed_out.append((digest.company_id, digest.period))
    logger.info("digest tick at %s: created %s digests, handed out %s", now_iso, report.created, report.handed_out)
    return report


def _create_due(now: datetime) -> list[tuple[str, str]]:
    tz = ZoneInfo(settings.TIME_ZONE)
    due = {}
    for company in company_list():
        since = from_iso(company.digest_since) if company.digest_since else None
        period = due_period(company.digest_period, now=now, tz=tz, since=since)
        if period is not None:
            due[keys.digest(company.id, period.id)] = (company.id, period)
    existing = selectors.digests_existing(list(due))
    created = []
    now_iso = to_iso(now)
    for key, (company_id, period) in due.items():
        if key in existing:
            continue
        tx = Transaction()
        digest = _new_digest(company_id=company_id, period=period.id, cadence=period.cadence, now_iso=now_iso)
        tx.put(digest, condition=DigestItem.sk.does_not_exist(), name="item")
        tx.put(_marker(company_id, period.id, now_iso))
        try:
            tx.commit()
        except TransactionFailed:
            continue  # Another tick created it at the same moment.
        created.append((company_id, period.id))
    return created


@storage_errors_as_domain_errors
def digest_send_now(*, company_id: str, token: str, author: Author) -> DigestItem:
    """Create a digest of ``company_id`` due at once, for a period of its own (``now-<token>``), audited in the
    company's history; the scheduler's path sends it.

    The form's ``token`` makes a second submit raise ``AlreadyCreated`` instead of sending twice. A company
    without a contact who receives the digest raises ``InvalidEnrollmentData``.
    """
    company_get(company_id)
    if not selectors.digest_recipients(company_id):
        raise InvalidEnrollmentData(
            _("No HR contact of this company receives the digest: add one, or tick “Receives the digest” on one.")
        )
    period = adhoc_period(str(uuid.UUID(token)))
    now_iso = clock.now_iso()
    digest = _new_digest(company_id=company_id, period=period, cadence=NOW, now_iso=now_iso, author=author)
    event = company_history_event(company_id, at=now_iso, action=DIGEST_REQUESTED, author=author)
    for _attempt in attempts(_CREATE_TRIES):
        tx = Transaction()
        tx.put(digest, condition=DigestItem.sk.does_not_exist(), name="item")
        tx.put(_marker(company_id, period, now_iso))
        tx.put(event)
        try:
            tx.commit()
            return digest
        except TransactionFailed as failure:
            # The same form sent twice at once: one of the two transactions wins, the other meets it.
            if "item" in failure.failed or selectors.digest_find(company_id, period) is not None:
                raise AlreadyCreated(_("This digest was already asked for."), item_id=period) from None
    raise ConcurrentChange()


@storage_errors_as_domain_errors
def digest_failure_resend(*, failure_sk: str, author: Author) -> DigestItem | None:
    """Send a failed digest again: PENDING and due now, with a full set of tries, to the contacts it has not
    reached; return it, or ``None`` when the failure left the list before (sent again by someone else, a second
    click). Audited in the company's history."""
    failure = selectors.digest_failure_find(failure_sk)
    if failure is None:
        return None
    digest = selectors.digest_find(failure.company_id, failure.period)
    if digest is None or digest.state != RECORD_FAILED or digest.updated_at != failure.created_at:
        raise InvalidTransition(
            _("This digest was sent again after this failure; a later failure is listed on its own.")
        )
    now_iso = clock.now_iso()
    tx = Transaction()
    tx.update(
        digest,
        [
            DigestItem.state.set(RECORD_PENDING),
            DigestItem.due_at.set(now_iso),
            # A full set of tries from here; ``attempts`` itself keeps growing, the fencing token.
            DigestItem.attempts_before_resend.set(digest.attempts),
            DigestItem.updated_at.set(now_iso),
        ],
        condition=(DigestItem.state == RECORD_FAILED) & (DigestItem.updated_at == failure.created_at),
        name="item",
    )
    tx.delete(failure, condition=DigestFailureItem.sk.exists(), name="failure")
    tx.put(_marker(digest.company_id, digest.period, now_iso))
    tx.put(
        company_history_event(
            digest.company_id,
            at=now_iso,
            action=DIGEST_RESENT,
            author=author,
            changes=[("period", None, digest.period)],
        )
    )
    try:
        tx.commit()
    except TransactionFailed:
        if selectors.digest_failure_find(failure_sk) is None:
            return None
        raise ConcurrentChange() from None
    return selectors.digest_find(digest.company_id, digest.period)
