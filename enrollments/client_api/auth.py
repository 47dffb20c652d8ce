"""Who calls the clients' API: the company's key named by ``Authorization: Bearer bo_<key_id>_<secret>``."""

import hmac
import re

from django.utils.translation import ngettext
from ninja.security import HttpBearer

from ..dynamo.models import ApiKeyItem
from ..exceptions import EnrollmentError
from . import selectors
from .rate_limits import rate_limit_take
from .services import api_key_touch, secret_hash

_TOKEN = re.compile(r"^bo_([0-9a-f]{32})_([A-Za-z0-9_-]{20,100})$")


def api_key_of_token(token: str) -> ApiKeyItem | None:
    """Return the active key a token names, or ``None`` (malformed, unknown, wrong secret, revoked)."""
    match = _TOKEN.match(token or "")
    if match is None:
        return None
    key_id, secret = match.groups()
    key = selectors.api_key_find(key_id)
    # A made-up key id costs the same comparison as a real one: no timing tells which ids exist.
    expected = key.secret_hash if key is not None else "0" * 64
    if not hmac.compare_digest(secret_hash(secret), expected) or key is None or key.revoked_at:
        return None
    return key


class RateLimited(EnrollmentError):
    """The key sent more requests than its rate allows."""

    code = "rate_limited"

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(
            ngettext(
                "Too many requests with this key: retry in %(seconds)s second.",
                "Too many requests with this key: retry in %(seconds)s seconds.",
                retry_after,
            )
            % {"seconds": retry_after}
        )


class ApiKeyAuth(HttpBearer):
    """Authenticate a request by its company's API key; note its use at most once a minute."""

    def authenticate(self, request, token: str) -> ApiKeyItem | None:
        key = api_key_of_token(token)
        if key is not None:
            verdict = rate_limit_take(key_id=key.sk)
            if not verdict.allowed:
                raise RateLimited(verdict.retry_after)
            api_key_touch(key=key)
        return key
