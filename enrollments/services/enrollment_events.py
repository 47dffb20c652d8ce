"""What an enrollment's changes tell the apps that listen to them (webhooks), written in the change's own transaction.

An app registers a listener when it is ready (``on_enrollment_event``). The services that enroll, complete and
cancel, and the renewal window's work, ask ``enrollment_event_items`` while they build their transaction and put
what it returns: an event is written with the change or not at all. A listener returns nothing for a company that
has no use for the event, so such a change costs no extra write.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..dynamo.models import EnrollmentItem, MainItem
from ..dynamo.transactions import Transaction

ENROLLMENT_CREATED = "enrollment.created"
ENROLLMENT_COMPLETED = "enrollment.completed"
ENROLLMENT_CANCELED = "enrollment.canceled"
CERTIFICATE_RENEWAL_WINDOW = "certificate.renewal_window"
EVENT_TYPES = (ENROLLMENT_CREATED, ENROLLMENT_COMPLETED, ENROLLMENT_CANCELED, CERTIFICATE_RENEWAL_WINDOW)


@dataclass(frozen=True)
class EnrollmentEvent:
    """One change of an enrollment: its ``type``, the enrollment as read before the change, the time the change
    happened (ISO; stable for the change), and ``changed``: the fields the change sets (``status``,
    ``completed_at``, ``certificate_expires_at``, ``canceled_at``) and its ``reason``."""

    type: str
    enrollment: EnrollmentItem
    occurred_at: str
    changed: dict = field(default_factory=dict)


Listener = Callable[[EnrollmentEvent], Iterable[MainItem]]
_listeners: list[Listener] = []


def on_enrollment_event(listener: Listener) -> None:
    """Make ``listener(event)`` return the items an enrollment's change also writes (registered once)."""
    if listener not in _listeners:
        _listeners.append(listener)


def enrollment_event_items(
    event_type: str, enrollment: EnrollmentItem, *, occurred_at: str, **changed
) -> list[MainItem]:
    """Return the items the listeners write with the change ``event_type`` of ``enrollment`` (often none)."""
    event = EnrollmentEvent(type=event_type, enrollment=enrollment, occurred_at=occurred_at, changed=changed)
    return [item for listener in _listeners for item in listener(event)]


def put_enrollment_events(
    tx: Transaction, event_type: str, enrollment: EnrollmentItem, *, occurred_at: str, **changed
) -> None:
    """Put in ``tx`` the items the listeners write with the change ``event_type`` of ``enrollment``."""
    for item in enrollment_event_items(event_type, enrollment, occurred_at=occurred_at, **changed):
        # Its key holds the change's time and an id fixed by the change: it cannot be there already.
        tx.put(item, condition=MainItem.sk.does_not_exist())
