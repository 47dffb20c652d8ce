"""A company's webhook endpoint, registered, edited, paused and its secret rotated by supervisors, each change audited
in the company's history; and an event sent again from the delivery log.

One endpoint per company (``('webhooks', <company_id>)``). Registering puts it only if absent, so a form sent twice
registers once (``AlreadyCreated``); edits and rotations require the revision their page read, so a second click
of the same page changes nothing.
"""

import secrets

from django.utils.translation import gettext as _

from .. import clock, rules
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import WebhookEndpointItem, WebhookEventItem
from ..dynamo.transactions import Transaction
from ..exceptions import AlreadyCreated, InvalidEnrollmentData
from ..selectors import company_get
from ..services.catalog import commit_item_change, company_history_event
from ..services.common import Author
from ..services.enrollment_events import EVENT_TYPES
from . import selectors
from .transport import EndpointRefused, check_url

WEBHOOK_REGISTERED = "WEBHOOK_REGISTERED"
WEBHOOK_UPDATED = "WEBHOOK_UPDATED"
WEBHOOK_SECRET_ROTATED = "WEBHOOK_SECRET_ROTATED"
WEBHOOK_EVENT_RESENT = "WEBHOOK_EVENT_RESENT"
SECRET_PREFIX = "whsec_"
MAX_URL_CHARS = 2000


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _checked(url: str, events) -> tuple[str, set[str]]:
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_CHARS:
        raise InvalidEnrollmentData(_("Give the endpoint's address (https://...)."), field="url")
    try:
        check_url(url)
    except EndpointRefused as refused:
        raise InvalidEnrollmentData(refused.message, field="url") from None
    chosen = set(events or ())
    if not chosen or not chosen <= set(EVENT_TYPES):
        raise InvalidEnrollmentData(_("Choose at least one event."), field="events")
    return url, chosen


def _events_shown(events) -> str:
    return ", ".join(event for event in EVENT_TYPES if event in (events or ()))


@storage_errors_as_domain_errors
def webhook_endpoint_register(*, company_id: str, url: str, events, author: Author) -> WebhookEndpointItem:
    """Register the company's webhook endpoint with a new signing secret; ``AlreadyCreated`` when it has one."""
    company_get(company_id)
    url, chosen = _checked(url, events)
    now = clock.now_iso()
    endpoint = WebhookEndpointItem(
        *keys.webhook_endpoint(company_id),
        created_at=now,
        updated_at=now,
        url=url,
        secret=new_secret(),
        events=chosen,
        active=True,
        author=author.as_attribute(),
        revision=1,
    )
    tx = Transaction()
    tx.put(endpoint, condition=WebhookEndpointItem.sk.does_not_exist(), name="item")
    tx.put(
        company_history_event(
            company_id,
            at=now,
            action=WEBHOOK_REGISTERED,
            author=author,
            changes=[("webhook_url", None, url), ("webhook_events", None, _events_shown(chosen))],
        )
    )
    try:
        if not commit_item_change(tx):
            raise AlreadyCreated(_("This company already has a webhook endpoint."), item_id=company_id)
    finally:
        selectors.forget_endpoint(company_id)
    return endpoint


def _edit(company_id: str, *, revision: int, author: Author, action: str, values: dict, changes: list) -> bool:
    endpoint = selectors.endpoint_find(company_id)
    if endpoint is None:
        raise InvalidEnrollmentData(_("This company has no webhook endpoint."), field="url")
    if endpoint.revision != revision:
        return False
    now = clock.now_iso()
    tx = Transaction()
    tx.update(
        endpoint,
        [getattr(WebhookEndpointItem, name).set(value) for name, value in values.items()]
        + [WebhookEndpointItem.updated_at.set(now), WebhookEndpointItem.revision.add(1)],
        condition=WebhookEndpointItem.revision == revision,
        name="item",
    )
    tx.put(company_history_event(company_id, at=now, action=action, author=author, changes=changes))
    try:
        return commit_item_change(tx)
    finally:
        selectors.forget_endpoint(company_id)


@storage_errors_as_domain_errors
def webhook_endpoint_update(*, company_id: str, url: str, events, active: bool, revision: int, author: Author) -> bool:
    """Change the endpoint's address, events, or pause it; return ``False`` when its revision is no longer the one
    read (a form sent twice, or a change meanwhile: nothing written). A change of nothing writes nothing."""
    endpoint = selectors.endpoint_find(company_id)
    if endpoint is None:
        raise InvalidEnrollmentData(_("This company has no webhook endpoint."), field="url")
    if endpoint.revision != revision:
        return False
    url, chosen = _checked(url, events)
    changes = []
    if url != endpoint.url:
        changes.append(("webhook_url", endpoint.url, url))
    if chosen != set(endpoint.events):
        changes.append(("webhook_events", _events_shown(endpoint.events), _events_shown(chosen)))
    if bool(active) != bool(endpoint.active):
        changes.append(("webhook_active", bool(endpoint.active), bool(active)))
    if not changes:
        return True
    return _edit(
        company_id,
        revision=revision,
        author=author,
        action=WEBHOOK_UPDATED,
        values={"url": url, "events": chosen, "active": bool(active)},
        changes=changes,
    )


@storage_errors_as_domain_errors
def webhook_secret_rotate(*, company_id: str, revision: int, author: Author) -> bool:
    """Give the endpoint a new signing secret (the old one signs nothing more); ``False`` when the revision read is
    no longer the endpoint's (the same click twice rotates once)."""
    return _edit(
        company_id,
        revision=revision,
        author=author,
        action=WEBHOOK_SECRET_ROTATED,
        values={"secret": new_secret()},
        changes=[],
    )


@storage_errors_as_domain_errors
def webhook_event_resend(*, company_id: str, sk: str, author: Author) -> bool:
    """Make a delivered or failed event of the company due again now, with a full set of tries; return ``False``
    when it is already waiting to be sent (a second click sends nothing more). Its id stays: the receiver can
    tell it from the first delivery."""
    event = selectors.event_find(company_id, sk)
    if event is None:
        raise InvalidEnrollmentData(_("This event does not exist."), field="event")
    now = clock.now_iso()
    tx = Transaction()
    tx.update(
        event,
        [
            WebhookEventItem.state.set(rules.RECORD_PENDING),
            WebhookEventItem.due_at.set(now),
            WebhookEventItem.webhook_due_shard.set(keys.webhook_due_shard(event.event_id)),
            WebhookEventItem.attempts_before_resend.set(event.attempts),
            WebhookEventItem.updated_at.set(now),
        ],
        condition=WebhookEventItem.state.is_in(rules.RECORD_SENT, rules.RECORD_FAILED),
        name="item",
    )
    tx.put(
        company_history_event(
            company_id,
            at=now,
            action=WEBHOOK_EVENT_RESENT,
            author=author,
            changes=[("webhook_event", None, f"{event.type} {event.event_id}")],
        )
    )
    return commit_item_change(tx)
