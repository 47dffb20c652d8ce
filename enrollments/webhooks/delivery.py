"""Deliver webhook events: beat's tick hands out the events due, a worker claims each, posts it signed, marks it.

A worker claims an event as it claims a lifecycle record (``services.claims``): SENDING, one more attempt (the
fencing token), its next attempt moved to the lease's end, so a worker that dies leaves an event that the tick hands
out again. A 2xx answer marks it delivered (SENT); anything else makes it PENDING again after the next delay of
``WEBHOOK_RETRY_SCHEDULE_SECONDS``, and FAILED once the schedule is spent (about a day). Each mark is one update
on condition that the claim still holds, which also takes a done event out of the ``webhook_due`` index.

At least once: a worker killed after the post and before the mark posts the event again after its lease, with
the same ``Webhook-Id``; the receiver drops the repeat.
"""

import json
import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings

from .. import clock, rules
from ..clock import to_iso
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import WebhookEventItem
from ..exceptions import QueueUnavailable
from ..services.claims import claim, process_each, scheduled_delay, tries, update_claimed
from ..services.record_outcomes import (
    OUTCOME_FAILED,
    OUTCOME_LOST,
    OUTCOME_NOT_CLAIMED,
    OUTCOME_RETRY,
    OUTCOME_SENT,
)
from . import selectors, transport

logger = logging.getLogger(__name__)

ENDPOINT_GONE = "endpoint_removed"
ENDPOINT_PAUSED = "endpoint_paused"


def max_tries() -> int:
    """Return the posts an event gets before it is FAILED: the first and one after each delay of the schedule."""
    return len(settings.WEBHOOK_RETRY_SCHEDULE_SECONDS) + 1


@storage_errors_as_domain_errors
def webhooks_tick(*, now: datetime, dispatch: Callable[[list], None]) -> int:
    """Hand every webhook event due at ``now`` to ``dispatch`` in batches of ``WEBHOOK_BATCH_SIZE``; return how
    many were handed out. A broker that does not answer stops the tick: the next one hands them out again."""
    batch, handed = [], 0
    try:
        for key in selectors.due_event_keys(now_iso=to_iso(now)):
            batch.append(list(key))
            if len(batch) == settings.WEBHOOK_BATCH_SIZE:
                dispatch(batch)
                handed, batch = handed + len(batch), []
        if batch:
            dispatch(batch)
            handed += len(batch)
    except QueueUnavailable as error:
        logger.warning("webhooks tick: the task queue did not answer (%s); the next tick tries again", error)
    return handed


def webhook_events_deliver(*, keys: list) -> Counter:
    """Deliver each ``[partition, sk]`` of a batch; return how many came to each outcome. An unexpected error is
    logged and counted, and the batch goes on (the event comes back after its lease)."""
    return process_each(
        keys, lambda partition, sk: webhook_event_deliver(partition=partition, sk=sk), what="webhook event", log=logger
    )


def body_of(event: WebhookEventItem) -> bytes:
    """Return the body posted for ``event``: the same bytes on every attempt."""
    document = {"id": event.event_id, "type": event.type, "created_at": event.created_at, "data": event.data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


@storage_errors_as_domain_errors
def webhook_event_deliver(*, partition: str, sk: str) -> str:
    """Claim one event, post it to its company's endpoint and mark it; return the outcome. Safe to call any number
    of times, at once or one after another: only a claim lets a call go on."""
    now = clock.now()
    event = claim(
        WebhookEventItem(partition, sk),
        now=now,
        lease_end=now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS),
        # Only an event still to deliver: a done one has left the index.
        condition=WebhookEventItem.webhook_due_shard.exists(),
    )
    if event is None:
        return OUTCOME_NOT_CLAIMED
    if tries(event) > max_tries():
        # Every earlier claim died (killed, timed out) before it could write an outcome.
        return _finish(
            event, rules.RECORD_FAILED, status=event.last_status, error=event.last_error or "no attempt finished"
        )
    endpoint = selectors.endpoint_find(event.company_id)
    if endpoint is None:
        return _finish(event, rules.RECORD_FAILED, error=ENDPOINT_GONE)
    if not endpoint.active:
        return _finish(event, rules.RECORD_FAILED, error=ENDPOINT_PAUSED)
    body = body_of(event)
    timestamp = int(clock.now().timestamp())
    answer = transport.post(
        endpoint.url,
        body=body,
        headers={
            "Webhook-Id": event.event_id,
            "Webhook-Timestamp": str(timestamp),
            "Webhook-Signature": transport.signature(endpoint.secret, timestamp, body),
            "Webhook-Attempt": str(tries(event)),
        },
    )
    if answer.delivered:
        return _finish(event, rules.RECORD_SENT, status=answer.status)
    if tries(event) >= max_tries():
        return _finish(event, rules.RECORD_FAILED, status=answer.status, error=answer.error)
    return _retry(event, status=answer.status, error=answer.error)


def _answer_actions(status: int | None, error: str | None) -> list:
    return [
        WebhookEventItem.last_status.set(status) if status is not None else WebhookEventItem.last_status.remove(),
        WebhookEventItem.last_error.set(error) if error else WebhookEventItem.last_error.remove(),
    ]


_OUTCOMES = {rules.RECORD_SENT: OUTCOME_SENT, rules.RECORD_FAILED: OUTCOME_FAILED}


def _finish(event: WebhookEventItem, state: str, *, status: int | None = None, error: str | None = None) -> str:
    now_iso = clock.now_iso()
    actions = [
        WebhookEventItem.state.set(state),
        WebhookEventItem.updated_at.set(now_iso),
        WebhookEventItem.lease_expires_at.remove(),
        WebhookEventItem.webhook_due_shard.remove(),
        *_answer_actions(status, error),
    ]
    if state == rules.RECORD_SENT:
        actions.append(WebhookEventItem.delivered_at.set(now_iso))
    else:
        logger.warning(
            "webhook event %s %s FAILED after %s tries: %s %s", event.type, event.event_id, tries(event), status, error
        )
    if not update_claimed(event, actions):
        return OUTCOME_LOST
    return _OUTCOMES[state]


def _retry(event: WebhookEventItem, *, status: int | None, error: str | None) -> str:
    now = clock.now()
    retry_at = now + scheduled_delay(tries(event), settings.WEBHOOK_RETRY_SCHEDULE_SECONDS)
    written = update_claimed(
        event,
        [
            WebhookEventItem.state.set(rules.RECORD_PENDING),
            WebhookEventItem.due_at.set(to_iso(retry_at)),
            WebhookEventItem.webhook_due_shard.set(keys.webhook_due_shard(event.event_id)),
            WebhookEventItem.lease_expires_at.remove(),
            WebhookEventItem.updated_at.set(to_iso(now)),
            *_answer_actions(status, error),
        ],
    )
    return OUTCOME_RETRY if written else OUTCOME_LOST
