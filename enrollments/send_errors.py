"""Why a lifecycle email could not be sent, in words: the cause of the error text its record stores.

The delivery service stores what went wrong as one line of text (``services.emails.send_error_text``,
``PermanentSendError``, a render error, the claims that never finished): Python's exception names and
the mail servers' own replies, in English. :func:`classify` reads that text into a cause code, which
the record and its failure keep beside the text; pages show the cause's label and what to do, with the
text behind it. Records stored before the codes existed are classified when shown.

An SMTP reply carries a code (``550``) and often an enhanced status code (RFC 3463: ``5.1.1``, whose
second number is its subject: 1 addressing, 2 mailbox, 7 security and policy). Those decide first;
words ("quota", "timed out") only where no code says it.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

SERVER_UNREACHABLE = "server_unreachable"
ADDRESS_REFUSED = "address_refused"
MAILBOX_FULL = "mailbox_full"
MESSAGE_REFUSED = "message_refused"
AUTHENTICATION_FAILED = "authentication_failed"
SENDER_REFUSED = "sender_refused"
TEMPORARY_FAILURE = "temporary_failure"
NOT_RENDERED = "not_rendered"
NEVER_FINISHED = "never_finished"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class SendErrorCause:
    """A cause of failed sends: its stored ``code``, its ``label`` and a ``hint`` of what to do (lazy texts)."""

    code: str
    label: str
    hint: str


CAUSES = {
    cause.code: cause
    for cause in (
        SendErrorCause(
            SERVER_UNREACHABLE,
            _("Mail server unreachable"),
            _(
                "Our mail server did not answer (connection refused, timed out or its name not found). Ask the "
                "technical team to check it (EMAIL_HOST, EMAIL_PORT, TLS), then send the email again."
            ),
        ),
        SendErrorCause(
            ADDRESS_REFUSED,
            _("Address refused"),
            _(
                "The recipient's mail server says this address does not exist. Check the person's email address "
                "with the company: sent again to the same address, it fails again."
            ),
        ),
        SendErrorCause(
            MAILBOX_FULL,
            _("Mailbox full"),
            _("The recipient's mailbox is full. Send the email again later, or ask the person to free some space."),
        ),
        SendErrorCause(
            MESSAGE_REFUSED,
            _("Message refused (spam or policy)"),
            _(
                "The recipient's mail server refused the message as spam or by its policy. Ask the company to "
                "allow our sender address, then send the email again."
            ),
        ),
        SendErrorCause(
            AUTHENTICATION_FAILED,
            _("Our mail server refused our login"),
            _(
                "Our mail server did not accept our user name or password. Ask the technical team to correct them "
                "(EMAIL_HOST_USER, EMAIL_HOST_PASSWORD), then send the email again."
            ),
        ),
        SendErrorCause(
            SENDER_REFUSED,
            _("Our sender address refused"),
            _(
                "The mail server does not accept our sender address. Ask the technical team to correct it "
                "(DEFAULT_FROM_EMAIL), then send the email again."
            ),
        ),
        SendErrorCause(
            TEMPORARY_FAILURE,
            _("Temporary failure"),
            _("The mail server asked us to try later, and every try failed. Send the email again later."),
        ),
        SendErrorCause(
            NOT_RENDERED,
            _("Email could not be written"),
            _(
                "A template or the enrollment's data has an error: tell the technical team. Sent again before "
                "the fix, it fails again."
            ),
        ),
        SendErrorCause(
            NEVER_FINISHED,
            _("Sending never finished"),
            _(
                "Sending stopped or ran out of time on every try (a background process failed). Ask the technical "
                "team to check the sending processes, then send the email again."
            ),
        ),
        SendErrorCause(
            UNKNOWN,
            _("Unknown cause"),
            _("The error's text below says what happened; the technical team can tell what it means."),
        ),
    )
}

# Exceptions that mean our mail server could not be reached or talked to (``socket.timeout`` is ``TimeoutError``
# and shows as ``timeout`` on older Pythons; ``gaierror`` is a failed DNS lookup).
_UNREACHABLE_ERRORS = frozenset(
    {
        "ConnectionRefusedError",
        "ConnectionResetError",
        "ConnectionAbortedError",
        "ConnectionError",
        "BrokenPipeError",
        "TimeoutError",
        "timeout",
        "gaierror",
        "herror",
        "SMTPConnectError",
        "SMTPServerDisconnected",
        "SSLError",
        "SSLCertVerificationError",
        "SSLEOFError",
        "SSLZeroReturnError",
    }
)
# The same in words, for an ``OSError`` and the like: only where no SMTP code was given.
_UNREACHABLE_WORDS = re.compile(
    r"connection refused|timed out|name or service not known|temporary failure in name resolution|"
    r"no address associated with hostname|nodename nor servname|network is unreachable|no route to host|"
    r"connection reset|connection unexpectedly closed",
    re.IGNORECASE,
)
_MAILBOX_FULL_WORDS = re.compile(
    r"quota|mailbox (?:is )?full|insufficient storage|storage exceeded|exceeded storage", re.IGNORECASE
)
# A refusal (5xx) in these words is about the message, whatever the reply's code.
_SPAM_WORDS = re.compile(r"spam|blocked|block ?list|black ?list|policy", re.IGNORECASE)
# "Name: text" (``send_error_text``) or the send service's "recipient refused: " and "message refused: ".
_PREFIX = re.compile(r"^(?:(?P<name>\w+)|(?P<refused>recipient|message) refused): ")
_CODE = re.compile(r"^(?P<code>[2-5]\d\d)\b")
# The first refusal of an SMTPRecipientsRefused shown as Python writes it: {'a@b': (550, b'5.1.1 ...')}.
_CODE_IN_RECIPIENTS = re.compile(r"\((?P<code>[2-5]\d\d), ")
_ENHANCED = re.compile(r"\b(?P<class>[245])\.(?P<subject>\d{1,3})\.(?P<detail>\d{1,3})\b")


def classify(text: str | None) -> str:
    """Return the cause code of a stored send error's text (``UNKNOWN`` when nothing in it tells)."""
    text = (text or "").strip()
    if text.startswith("could not render the email"):
        return NOT_RENDERED
    if text.startswith("no attempt finished"):
        return NEVER_FINISHED
    prefix = _PREFIX.match(text)
    name = prefix["name"] if prefix else None
    refused = prefix["refused"] if prefix else None
    rest = text[prefix.end() :] if prefix else text
    if refused == "recipient":
        rest = rest.partition(" ")[2]  # after the address
    code_match = _CODE.match(rest) or (_CODE_IN_RECIPIENTS.search(rest) if name == "SMTPRecipientsRefused" else None)
    code = int(code_match["code"]) if code_match else None
    enhanced = _ENHANCED.search(rest)
    status = (int(enhanced["class"]), int(enhanced["subject"]), int(enhanced["detail"])) if enhanced else None

    if name == "SMTPAuthenticationError" or (name == "SMTPNotSupportedError" and "AUTH" in rest):
        return AUTHENTICATION_FAILED
    if name == "SMTPSenderRefused":
        return SENDER_REFUSED
    if name in _UNREACHABLE_ERRORS or (code is None and _UNREACHABLE_WORDS.search(rest)):
        return SERVER_UNREACHABLE
    if status and status[1:] == (2, 2):
        return MAILBOX_FULL
    if status and status[:2] == (5, 7):
        return MESSAGE_REFUSED
    if status and status[:2] == (5, 1):
        return ADDRESS_REFUSED
    if _MAILBOX_FULL_WORDS.search(rest):
        return MAILBOX_FULL
    permanent = bool(code and code >= 500)
    if permanent and (refused == "message" or _SPAM_WORDS.search(rest)):
        return MESSAGE_REFUSED
    if permanent and (refused == "recipient" or name == "SMTPRecipientsRefused"):
        return ADDRESS_REFUSED
    if (code and 400 <= code < 500) or (status and status[0] == 4):
        return TEMPORARY_FAILURE
    return UNKNOWN


def send_error_cause(text: str | None, code: str | None = None) -> SendErrorCause:
    """Return the cause of a stored send error: the stored ``code`` when it names one, else the text's."""
    if code in CAUSES and code != UNKNOWN:
        return CAUSES[code]
    return CAUSES[classify(text)]
