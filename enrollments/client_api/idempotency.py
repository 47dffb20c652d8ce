"""Idempotent requests of the clients' API (``Idempotency-Key``), as Stripe's: the first answer to a key is kept for
24 hours and given again to the same request; the same key with another body is refused.

A request claims its key first (an item put only if absent), does its work, then stores its answer in the item.
A second request meeting a claim still in progress answers 409 ``request_in_progress``; a claim older than
``CLAIM_SECONDS`` (its request died) may be taken over: the work itself must be safe to redo (an enrollment's id
comes from the key, so a redo finds the first enrollment instead of making a second).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext as _
from pynamodb.exceptions import DeleteError, PutError

from .. import clock
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import IdempotentRequestItem
from ..exceptions import EnrollmentError
from ..selectors.items import _find

KEEP_HOURS = 24
CLAIM_SECONDS = 60
MAX_KEY_CHARS = 255
IN_PROGRESS = "in_progress"
DONE = "done"


class IdempotencyKeyReused(EnrollmentError):
    """The key was used before with another request body."""

    code = "idempotency_key_reused"

    def __init__(self):
        super().__init__(_("This Idempotency-Key was already used with another request body."))


class RequestInProgress(EnrollmentError):
    """Another request with the same key is being answered right now."""

    code = "request_in_progress"

    def __init__(self):
        super().__init__(_("A request with this Idempotency-Key is in progress: retry in a moment."))


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict


def request_hash(payload: dict) -> str:
    """Return the hash of a request's body as parsed (the same JSON in another key order is the same request)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _replayed(item: IdempotentRequestItem, digest: str) -> Answer:
    if item.request_hash != digest:
        raise IdempotencyKeyReused()
    if item.state == DONE:
        return Answer(status=int(item.status), body=item.body)
    raise RequestInProgress()


@storage_errors_as_domain_errors
def claim(*, company_id: str, idempotency_key: str, payload: dict) -> Answer | None:
    """Claim ``idempotency_key`` for this request: return ``None`` to go on, or the first request's answer.

    Raise ``IdempotencyKeyReused`` for another body, ``RequestInProgress`` while the first is still working.
    """
    key = keys.idempotent_request(company_id, idempotency_key)
    digest = request_hash(payload)
    now = clock.now()
    found = _find(IdempotentRequestItem, key)
    # DynamoDB removes an expired item some time after its ``ttl``: until then it is read as absent.
    expired = found is not None and int(found.ttl) <= now.timestamp()
    stale_claim = (
        found is not None
        and found.state == IN_PROGRESS
        and found.request_hash == digest
        and clock.from_iso(found.expires_at) < now
    )
    if found is not None and not (expired or stale_claim):
        return _replayed(found, digest)
    item = IdempotentRequestItem(
        *key,
        created_at=clock.to_iso(now),
        request_hash=digest,
        state=IN_PROGRESS,
        expires_at=clock.to_iso(now + timedelta(seconds=CLAIM_SECONDS)),
        ttl=int((now + timedelta(hours=KEEP_HOURS)).timestamp()),
    )
    condition = IdempotentRequestItem.sk.does_not_exist()
    if found is not None:
        # Taking over an expired item or a stale claim: only if nobody took it over meanwhile.
        condition = (IdempotentRequestItem.expires_at == found.expires_at) & (IdempotentRequestItem.ttl == found.ttl)
    try:
        item.save(condition=condition)
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return _replayed(_find(IdempotentRequestItem, key), digest)
    return None


@storage_errors_as_domain_errors
def record(*, company_id: str, idempotency_key: str, answer: Answer) -> None:
    """Store the answer of a claimed key: the same request gets it again for 24 hours."""
    item = _find(IdempotentRequestItem, keys.idempotent_request(company_id, idempotency_key))
    item.update(
        actions=[
            IdempotentRequestItem.state.set(DONE),
            IdempotentRequestItem.status.set(answer.status),
            IdempotentRequestItem.body.set(answer.body),
        ]
    )


@storage_errors_as_domain_errors
def release(*, company_id: str, idempotency_key: str) -> None:
    """Drop a claim whose request failed for a passing reason (storage, a concurrent change): a retry works again."""
    try:
        IdempotentRequestItem(*keys.idempotent_request(company_id, idempotency_key)).delete(
            condition=IdempotentRequestItem.state == IN_PROGRESS
        )
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
