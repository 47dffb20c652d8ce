"""The webhook events of an enrollment's changes: what each tells, its id, and the item put with the change.

Registered with ``services.enrollment_events`` by ``WebhooksConfig.ready``. A company whose endpoint is missing,
paused or not subscribed to the event gets nothing written, and the check reads the endpoint through the
per-process cache (``selectors.endpoint_cached``): an enrollment of such a company costs no write and no read.
"""

import uuid

from .. import rules
from ..dynamo import keys
from ..dynamo.models import EnrollmentItem, WebhookEventItem
from ..services.enrollment_events import EnrollmentEvent
from .selectors import endpoint_cached


def event_id(event_type: str, enrollment_id: str) -> str:
    """Return the id of the event ``event_type`` of an enrollment: each happens once to an enrollment, so the id is
    fixed by the two, and a transaction tried again, or a record fired twice, cannot make another id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"backoffice:webhook:{event_type}:{enrollment_id}"))


def event_data(enrollment: EnrollmentItem, changed: dict) -> dict:
    """Return the ``data`` of an event's body: the enrollment after the change (``changed`` over what was read)."""
    values = {
        "status": enrollment.status,
        "created_at": enrollment.created_at,
        "access_expires_at": enrollment.access_expires_at,
        "started_at": enrollment.started_at,
        "completed_at": enrollment.completed_at,
        "certificate_expires_at": enrollment.certificate_expires_at,
        "canceled_at": enrollment.canceled_at,
    }
    values.update({name: value for name, value in changed.items() if name in values})
    data = {
        "enrollment_id": enrollment.id,
        "company_id": enrollment.tenant_id,
        "person": {"name": enrollment.user.name, "email": enrollment.user.email, "cpf": enrollment.user.cpf},
        "course": {"id": enrollment.course.id, "name": enrollment.course.name},
        **values,
    }
    if changed.get("reason"):
        data["reason"] = changed["reason"]
    if enrollment.renews:
        data["renews"] = enrollment.renews
    return data


def event_items(event: EnrollmentEvent) -> list[WebhookEventItem]:
    """Return the webhook event to put with ``event``'s change, when the company's active endpoint wants it."""
    enrollment = event.enrollment
    endpoint = endpoint_cached(enrollment.tenant_id)
    if endpoint is None or not endpoint.active or event.type not in endpoint.events:
        return []
    identifier = event_id(event.type, enrollment.id)
    return [
        WebhookEventItem(
            *keys.webhook_event(enrollment.tenant_id, occurred_at=event.occurred_at, event_id=identifier),
            created_at=event.occurred_at,
            company_id=enrollment.tenant_id,
            event_id=identifier,
            type=event.type,
            data=event_data(enrollment, event.changed),
            state=rules.RECORD_PENDING,
            # Due at once: beat's next tick hands it out.
            due_at=event.occurred_at,
            webhook_due_shard=keys.webhook_due_shard(identifier),
        )
    ]
