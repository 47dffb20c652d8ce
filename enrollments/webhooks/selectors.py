"""Reads of webhooks: a company's endpoint (also through a short per-process cache), its events, the events due."""

import time
from collections.abc import Iterator

from django.conf import settings

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import WebhookEndpointItem, WebhookEventItem
from ..exceptions import InvalidCursor
from ..selectors.items import _find

# company id -> (when the entry runs out, on time.monotonic(); the endpoint or None).
_cache: dict[str, tuple[float, WebhookEndpointItem | None]] = {}


@storage_errors_as_domain_errors
def endpoint_find(company_id: str) -> WebhookEndpointItem | None:
    """Return the company's webhook endpoint, or ``None``."""
    return _find(WebhookEndpointItem, keys.webhook_endpoint(company_id))


def endpoint_cached(company_id: str) -> WebhookEndpointItem | None:
    """Return the company's webhook endpoint as read at most ``WEBHOOK_ENDPOINT_CACHE_SECONDS`` ago, or ``None``.

    Asked at every enrollment, cancel and completion: a company without an endpoint costs one read per process and
    period, not one per change. Changes made in this process forget the entry at once (``forget_endpoint``).
    """
    now = time.monotonic()
    cached = _cache.get(company_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    endpoint = endpoint_find(company_id)
    _cache[company_id] = (now + settings.WEBHOOK_ENDPOINT_CACHE_SECONDS, endpoint)
    return endpoint


def forget_endpoint(company_id: str) -> None:
    """Make the next ``endpoint_cached`` of the company read it again."""
    _cache.pop(company_id, None)


@storage_errors_as_domain_errors
def event_find(company_id: str, sk: str) -> WebhookEventItem | None:
    """Return the company's webhook event of sort key ``sk``, or ``None`` (another company's is never found)."""
    if not sk or "#" not in sk:
        return None
    return _find(WebhookEventItem, keys.Key(keys.webhook_events(company_id), sk))


@storage_errors_as_domain_errors
def event_page(company_id: str, *, before: str | None = None, size: int = 50) -> tuple[list[WebhookEventItem], str]:
    """Return a page of the company's webhook events, newest first, and the cursor of the next page (``""``: none).

    ``before`` is the sort key of the last event of the previous page.
    """
    if before is not None and "#" not in before:
        raise InvalidCursor()
    condition = WebhookEventItem.sk < before if before else None
    events = list(
        WebhookEventItem.query(
            keys.webhook_events(company_id),
            range_key_condition=condition,
            scan_index_forward=False,
            limit=size + 1,
            consistent_read=True,
        )
    )
    more = len(events) > size
    events = events[:size]
    return events, (events[-1].sk if more else "")


@storage_errors_as_domain_errors
def due_event_keys(*, now_iso: str) -> Iterator[tuple[str, str]]:
    """Yield ``(partition, sk)`` of every webhook event whose next attempt is due at ``now_iso``: the sparse
    ``webhook_due`` index, shard by shard, never a Scan."""
    for shard in keys.webhook_due_shards():
        for item in WebhookEventItem.webhook_due.query(shard, range_key_condition=WebhookEventItem.due_at <= now_iso):
            yield item.id, item.sk
