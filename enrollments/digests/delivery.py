"""Send one compliance digest: claim it, send it to each HR contact who has not had it, mark it.

A worker claims a digest as it claims a lifecycle record (``services.claims``): a conditional
update to SENDING that adds one to ``attempts`` (the fencing token) and moves ``due_at`` to the
lease's end, so a worker that dies leaves a digest that is due again. Each contact sent to is
added to ``sent_to`` at once, so a retry sends only to the others. A transient send error puts the
digest back to PENDING after ``retry_delay``; after ``LIFECYCLE_MAX_ATTEMPTS`` claims, or when a
contact's address is refused for good, it is FAILED and listed beside the failed lifecycle emails.
SENT, SKIPPED and FAILED delete its marker in the same transaction.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings

from .. import clock
from ..clock import from_iso, to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import ActiveDigestItem, DigestFailureItem, DigestItem
from ..dynamo.transactions import Transaction, TransactionFailed
from ..exceptions import CompanyNotFound, StorageUnavailable
from ..rules import RECORD_FAILED, RECORD_PENDING, RECORD_SENT, RECORD_SKIPPED
from ..selectors import company_get
from ..services.catalog import company_language
from ..services.claims import claim, claimed_by_us, tries, update_claimed
from ..services.emails import PermanentSendError, send_error_text, send_lifecycle_email
from ..services.record_outcomes import (
    OUTCOME_FAILED,
    OUTCOME_LOST,
    OUTCOME_NOT_CLAIMED,
    OUTCOME_RETRY,
    OUTCOME_SENT,
    OUTCOME_SKIPPED,
    retry_delay,
)
from . import selectors
from .emails import RenderedDigest, digest_message, digest_message_id, digest_render

logger = logging.getLogger(__name__)


def _claim(*, company_id: str, period: str, now: datetime) -> DigestItem | None:
    lease_end = now + timedelta(seconds=settings.LIFECYCLE_LEASE_SECONDS)
    return claim(DigestItem(*keys.digest(company_id, period)), now=now, lease_end=lease_end)


@storage_errors_as_domain_errors
def digest_process(*, company_id: str, period: str) -> str:
    """Claim a digest, send it to each HR contact who receives it and has not had it, and mark it; return the
    outcome. Safe to call any number of times, at once or one after another: only a claim lets a call go on."""
    digest = _claim(company_id=company_id, period=period, now=clock.now())
    if digest is None:
        return OUTCOME_NOT_CLAIMED
    if tries(digest) > settings.LIFECYCLE_MAX_ATTEMPTS:
        # Every earlier claim died (killed, timed out) or raised before it could write an outcome.
        return _fail(digest, error=digest.last_error or f"no attempt finished in {tries(digest) - 1} tries")
    try:
        return _send_claimed(digest)
    except StorageUnavailable:
        raise
    except Exception as error:
        update_claimed(
            digest,
            [DigestItem.last_error.set(f"{type(error).__name__}: {error}"), DigestItem.updated_at.set(clock.now_iso())],
        )
        raise


def _send_claimed(digest: DigestItem) -> str:
    try:
        company = company_get(digest.company_id)
    except CompanyNotFound:
        return _finish(digest, RECORD_SKIPPED, skip_reason="the company no longer exists")
    already = set(digest.sent_to or ())
    recipients = [contact for contact in selectors.digest_recipients(company.id) if contact.email not in already]
    if not recipients:
        if already:  # Sent to everyone by a worker that died before the mark.
            return _finish(digest, RECORD_SENT)
        return _finish(digest, RECORD_SKIPPED, skip_reason="no HR contact receives the digest")
    try:
        summary = selectors.digest_summary(company, now=clock.now())
        rendered: dict[str, RenderedDigest] = {}
        for contact in recipients:
            language = contact.language or company_language(company)
            if language not in rendered:
                rendered[language] = digest_render(
                    summary, period=digest.period, language=language, created_at=from_iso(digest.created_at)
                )
    except StorageUnavailable:
        raise
    except Exception as error:  # A template or data bug: trying again would only repeat it.
        logger.exception("compliance digest %s of %s could not be rendered", digest.period, digest.company_id)
        return _fail(digest, error=f"could not render the digest: {type(error).__name__}: {error}")
    refused = []
    for contact in recipients:
        language = contact.language or company_language(company)
        message_id = digest_message_id(company_id=company.id, period=digest.period, email=contact.email)
        message = digest_message(rendered[language], to=contact.email, message_id=message_id, period=digest.period)
        try:
            send_lifecycle_email(message)
        except PermanentSendError as error:
            refused.append(f"{contact.email}: {error}")
            continue
        except (smtplib.SMTPException, OSError) as error:
            return _retry_or_fail(digest, error=send_error_text(error))
        # At once: a retry, or a worker taking over after this one died, sends only to the others.
        if not update_claimed(digest, [DigestItem.sent_to.add({contact.email})]):
            logger.warning("compliance digest %s of %s: claim lost while sending", digest.period, digest.company_id)
            return OUTCOME_LOST
    if refused:
        return _fail(digest, error="; ".join(refused))
    return _finish(digest, RECORD_SENT)


_OUTCOMES = {RECORD_SENT: OUTCOME_SENT, RECORD_SKIPPED: OUTCOME_SKIPPED, RECORD_FAILED: OUTCOME_FAILED}


def _finish(digest: DigestItem, state: str, *, skip_reason: str | None = None, error: str | None = None) -> str:
    """Mark the claimed digest ``state`` and delete its marker in one transaction, with its failure item when
    FAILED; return the outcome, or LOST when the claim no longer holds."""
    now_iso = clock.now_iso()
    actions = [DigestItem.state.set(state), DigestItem.updated_at.set(now_iso), DigestItem.lease_expires_at.remove()]
    if state == RECORD_SENT:
        actions.append(DigestItem.sent_at.set(now_iso))
    if skip_reason:
        actions.append(DigestItem.skip_reason.set(skip_reason))
    if error:
        actions.append(DigestItem.last_error.set(error))
    tx = Transaction()
    tx.update(digest, actions, condition=claimed_by_us(digest), name="item")
    tx.delete(ActiveDigestItem(*keys.active_digest(digest.company_id, digest.period)))
    if state == RECORD_FAILED:
        # Its ``created_at`` is the digest's ``updated_at``: sending it again requires both to still agree.
        tx.put(
            DigestFailureItem(
                *keys.digest_failure(failed_at=now_iso, company_id=digest.company_id, period=digest.period),
                created_at=now_iso,
                company_id=digest.company_id,
                period=digest.period,
                attempts=tries(digest),
                last_error=error or "",
                sent_to=set(digest.sent_to or ()) or None,
            )
        )
    try:
        tx.commit()
    except TransactionFailed:
        logger.warning(
            "compliance digest %s of %s: claim lost, %s not written", digest.period, digest.company_id, state
        )
        return OUTCOME_LOST
    return _OUTCOMES[state]


def _retry_or_fail(digest: DigestItem, *, error: str) -> str:
    if tries(digest) >= settings.LIFECYCLE_MAX_ATTEMPTS:
        return _fail(digest, error=error)
    now = clock.now()
    retry_at = to_iso(now + retry_delay(tries(digest)))
    logger.warning(
        "compliance digest %s of %s failed (attempt %s), will retry at %s: %s",
        digest.period,
        digest.company_id,
        tries(digest),
        retry_at,
        error,
    )
    written = update_claimed(
        digest,
        [
            DigestItem.state.set(RECORD_PENDING),
            DigestItem.due_at.set(retry_at),
            DigestItem.last_error.set(error),
            DigestItem.lease_expires_at.remove(),
            DigestItem.updated_at.set(to_iso(now)),
        ],
    )
    return OUTCOME_RETRY if written else OUTCOME_LOST


def _fail(digest: DigestItem, *, error: str) -> str:
    logger.error(
        "compliance digest %s of %s FAILED after %s attempts: %s",
        digest.period,
        digest.company_id,
        tries(digest),
        error,
    )
    return _finish(digest, RECORD_FAILED, error=error)
