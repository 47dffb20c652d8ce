"""Claim an item of background delivery once, with a lease, and compute when a failed send is tried again.

Lifecycle records (``services.delivery``), compliance digests (``digests.delivery``) and webhook events
(``webhooks.delivery``) are each sent by the worker that claims it. Their items share the attributes this module
writes: ``state`` (PENDING, SENDING, then a final one), ``attempts`` (claims so far, the fencing token every later
write requires), ``attempts_before_resend`` (the claims spent before staff sent it again or its work postponed it),
``due_at``, ``lease_expires_at`` and ``updated_at``.

A claim is one conditional update: PENDING and due, or SENDING with a lease that ran out (its ``due_at`` is the
lease's end), becomes SENDING with one more attempt and ``due_at`` moved to the lease's end, so a worker that dies
leaves an item that is due again by itself, and a tick never hands out an item that a live worker holds.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from ..clock import to_iso
from ..exceptions import StorageUnavailable
from ..rules import RECORD_PENDING, RECORD_SENDING

logger = logging.getLogger(__name__)

# What processing an item came to when it raised an unexpected error (a bug, data the code cannot read).
OUTCOME_ERROR = "error"


def claim(item, *, now: datetime, lease_end: datetime, also: tuple = (), condition=None):
    """Claim ``item`` (a model instance of its key) until ``lease_end``; return it updated, or ``None`` when it is
    not due, held by a live claim, done or gone.

    ``also``: more actions of the same update; ``condition``: more the item must meet.
    """
    model = type(item)
    now_iso = to_iso(now)
    due = model.state.is_in(RECORD_PENDING, RECORD_SENDING) & (model.due_at <= now_iso)
    try:
        item.update(
            actions=[
                model.state.set(RECORD_SENDING),
                model.attempts.add(1),
                model.lease_expires_at.set(to_iso(lease_end)),
                # Due again when the lease ends: a dead worker's item comes back by itself.
                model.due_at.set(to_iso(lease_end)),
                model.updated_at.set(now_iso),
                *also,
            ],
            condition=due if condition is None else due & condition,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise StorageUnavailable(str(error.cause or error)) from error
    return item


def claimed_by_us(item):
    """Return the condition that ``item`` is still held by the claim it was read with."""
    model = type(item)
    return (model.state == RECORD_SENDING) & (model.attempts == item.attempts)


def update_claimed(item, actions: list) -> bool:
    """Write ``actions`` on an item this claim still holds; return ``False`` when the claim was lost."""
    try:
        item.update(actions=actions, condition=claimed_by_us(item))
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise StorageUnavailable(str(error.cause or error)) from error
    return True


def tries(item) -> int:
    """Return the claims of ``item`` since it was scheduled, or last sent again by staff."""
    return item.attempts - (item.attempts_before_resend or 0)


def doubling_delay(tries: int, *, first_seconds: int, max_seconds: int) -> timedelta:
    """Return how long an item waits after its ``tries``-th failed send: ``first_seconds``, doubling, capped."""
    seconds = first_seconds * 2 ** max(tries - 1, 0)
    return timedelta(seconds=min(seconds, max_seconds))


def scheduled_delay(tries: int, schedule: list[int]) -> timedelta:
    """Return how long an item waits after its ``tries``-th failed send, by a schedule of seconds (its last entry
    for any later try)."""
    return timedelta(seconds=schedule[min(max(tries, 1), len(schedule)) - 1])


def process_each(keys: Iterable, process: Callable[..., str], *, what: str, log: logging.Logger = logger) -> Counter:
    """Call ``process(*key)`` for each key of a batch; return how many came to each outcome.

    An item that raises an unexpected error is logged and counted as ``OUTCOME_ERROR``, and the batch goes on: the
    item keeps its claim and comes back when the lease ends. ``StorageUnavailable`` stops the batch for its task to
    retry: the items already processed are claimed or done, so none runs twice. The error is logged on ``log``.
    """
    outcomes = Counter()
    for key in keys:
        try:
            outcome = process(*key)
        except StorageUnavailable:
            raise
        except Exception:
            log.exception("%s %s could not be processed; tried again after its lease", what, " ".join(key))
            outcome = OUTCOME_ERROR
        outcomes[outcome] += 1
    return outcomes
