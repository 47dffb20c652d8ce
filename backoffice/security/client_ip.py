"""The client's address, as the lockouts and the security log see it."""

from django.conf import settings


def client_ip(request) -> str | None:
    """Return the client's IP address: ``REMOTE_ADDR``, or the one ``TRUSTED_PROXY_COUNT`` proxies saw.

    Each trusted proxy appends the address it received from to ``X-Forwarded-For``, so the client is the
    ``TRUSTED_PROXY_COUNT``-th entry from the right; entries left of it are whatever the client wrote.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Fewer hops than proxies: the request did not come through all of them.
        return remote
    return forwarded[-count]
