"""Sign and post one webhook delivery, and check where an endpoint may point.

The signature is ``v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`` in ``Webhook-Signature``, with the
timestamp (Unix seconds) in ``Webhook-Timestamp`` and the event's id in ``Webhook-Id`` (the same on every attempt, so
a receiver drops repeats). A post has a connect and a read timeout, follows no redirect (``http.client`` never
does), and connects to the address it checked: a name that resolves to a loopback, private, link-local or other
non-public address is refused unless ``WEBHOOK_ALLOW_PRIVATE_HOSTS`` (development, tests), so the back office
cannot be pointed at its own network, also not by a name that changes its address after the check.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

USER_AGENT = "backoffice-webhooks/1"
# What went wrong without an HTTP status: the start of a stored ``last_error`` (``error_kind`` reads it back).
TIMEOUT = "timeout"
TLS = "tls"
CONNECTION_REFUSED = "connection_refused"
ADDRESS_REFUSED = "address_refused"
NETWORK = "network"
ERROR_KINDS = (TIMEOUT, TLS, CONNECTION_REFUSED, ADDRESS_REFUSED, NETWORK)
# The most of an answer read: only its status matters.
_ANSWER_BYTES = 4096


class EndpointRefused(Exception):
    """The endpoint's address may not be used: not https, no host, or a host that is not public."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Answer:
    """What a post came to: the endpoint's HTTP ``status``, or ``error`` when there was none (timeout, refused)."""

    status: int | None = None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def error_kind(error: str) -> str:
    """Return which of ``ERROR_KINDS`` a stored error is (``NETWORK`` for one it does not know)."""
    kind = (error or "").split(":", 1)[0]
    return kind if kind in ERROR_KINDS else NETWORK


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Return the ``Webhook-Signature`` of ``body`` sent at ``timestamp``."""
    signed = f"{timestamp}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def check_url(url: str, *, resolve: bool = True) -> tuple[str, str, int]:
    """Return the scheme, host and port of an endpoint's ``url``, or raise ``EndpointRefused``.

    https only, and a host that resolves to public addresses only, unless ``WEBHOOK_ALLOW_PRIVATE_HOSTS``.
    """
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_HOSTS
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise EndpointRefused(_("The address is not a valid URL.")) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise EndpointRefused(_("The address must be an https:// URL with a host name."))
    if parts.scheme == "http" and not allow_private:
        raise EndpointRefused(_("The address must start with https://: events carry personal data."))
    if parts.username or parts.password:
        raise EndpointRefused(_("The address must not carry a user name or password."))
    port = port or (443 if parts.scheme == "https" else 80)
    if resolve:
        resolve_public(parts.hostname, port)
    return parts.scheme, parts.hostname, port


def resolve_public(host: str, port: int) -> str:
    """Return the address to connect to for ``host``; raise ``EndpointRefused`` when it resolves to none, or to any
    address that is not public (unless ``WEBHOOK_ALLOW_PRIVATE_HOSTS``)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise EndpointRefused(_("The host name %(host)s was not found.") % {"host": host}) from None
    addresses = [info[4][0] for info in found]
    if not settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise EndpointRefused(
                    _("The host %(host)s points to an internal address (%(address)s); use a public one.")
                    % {"host": host, "address": address}
                )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand; the read timeout applies once connected."""

    def __init__(self, host: str, port: int, *, address: str, connect_timeout: float, read_timeout: float):
        super().__init__(host, port, timeout=connect_timeout)
        self._address, self._read_timeout = address, read_timeout

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.settimeout(self._read_timeout)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """The same over TLS, the certificate checked against the host's name."""

    def connect(self):
        super().connect()
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def post(url: str, *, body: bytes, headers: dict) -> Answer:
    """Post ``body`` to ``url`` once; return its status, or the error without one. Never raises for the network."""
    try:
        scheme, host, port = check_url(url, resolve=False)
        address = resolve_public(host, port)
    except EndpointRefused as refused:
        return Answer(error=f"{ADDRESS_REFUSED}: {refused.message}")
    target = urlsplit(url)
    path = (target.path or "/") + (f"?{target.query}" if target.query else "")
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = cls(
        host,
        port,
        address=address,
        connect_timeout=settings.WEBHOOK_CONNECT_TIMEOUT,
        read_timeout=settings.WEBHOOK_READ_TIMEOUT,
    )
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        response = connection.getresponse()
        response.read(_ANSWER_BYTES)
        return Answer(status=response.status)
    except TimeoutError:
        return Answer(error=TIMEOUT)
    except ssl.SSLError as error:
        return Answer(error=f"{TLS}: {error.reason or error}")
    except ConnectionRefusedError as error:
        return Answer(error=f"{CONNECTION_REFUSED}: {error}")
    except (OSError, http.client.HTTPException) as error:
        return Answer(error=f"{NETWORK}: {type(error).__name__}: {error}")
    finally:
        connection.close()
