"""The messages of the outbox, newest first, read with the standard library's ``email`` package (``policy.default``).

Only files whose names the backend writes are read (``files.NAME``); a file of such a name that is not a message
this package can read comes back with ``readable=False``, for the page to say so.
"""

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from django.conf import settings

from ..exceptions import InvalidCursor
from .files import is_message_name, kept_at, outbox_dir

logger = logging.getLogger(__name__)

OUTBOX_PAGE_SIZE = 50


class MessageNotFound(Exception):
    """No message of that name is in the outbox (or the name is not one the backend writes)."""


@dataclass(frozen=True)
class OutboxMessage:
    """One kept message, its headers decoded; ``text`` and ``html`` are its parts (``None`` when it has none)."""

    name: str
    size: int
    kept_at: datetime
    readable: bool
    subject: str = ""
    sender: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    date: datetime | None = None
    language: str = ""
    text: str | None = None
    html: str | None = None
    attachments: tuple[str, ...] = ()

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc + self.bcc

    @property
    def sent_at(self) -> datetime:
        """Return the message's Date, or the moment it was kept when it has none."""
        return self.date or self.kept_at


@dataclass(frozen=True)
class OutboxPage:
    messages: list[OutboxMessage]
    next_cursor: str | None
    total: int


def outbox_enabled() -> bool:
    """Return whether this process keeps its emails in the outbox: development, with the outbox backend."""
    return bool(settings.DEBUG) and settings.EMAIL_BACKEND == settings.OUTBOX_EMAIL_BACKEND


def outbox_page(*, cursor: str | None = None, page_size: int = OUTBOX_PAGE_SIZE) -> OutboxPage:
    """Return a page of messages, newest first, after ``cursor`` (the last name of the page before).

    Raise ``InvalidCursor`` for a cursor that is not a name the backend writes.
    """
    names = sorted(_names(), reverse=True)
    total = len(names)
    if cursor is not None:
        if not is_message_name(cursor):
            raise InvalidCursor
        names = [name for name in names if name < cursor]
    shown = names[:page_size]
    # A file deleted between the listing and its reading is left out.
    messages = [message for message in map(_read_or_none, shown) if message is not None]
    return OutboxPage(messages=messages, next_cursor=shown[-1] if len(names) > page_size else None, total=total)


def outbox_message(name: str) -> OutboxMessage:
    """Return the message kept as ``name``; raise ``MessageNotFound`` if there is none or the name is not one the
    backend writes (so no name can reach a file outside the outbox)."""
    message = _read_or_none(name) if is_message_name(name) else None
    if message is None:
        raise MessageNotFound(name)
    return message


def _names() -> list[str]:
    try:
        with os.scandir(outbox_dir()) as entries:
            return [entry.name for entry in entries if is_message_name(entry.name) and entry.is_file()]
    except FileNotFoundError:  # nothing sent yet
        return []


def _read_or_none(name: str) -> OutboxMessage | None:
    try:
        data = (outbox_dir() / name).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None
    return message_from_bytes(name, data)


def message_from_bytes(name: str, data: bytes) -> OutboxMessage:
    """Return the message kept as ``name`` with the content ``data``, or one with ``readable=False``."""
    unreadable = OutboxMessage(name=name, size=len(data), kept_at=kept_at(name), readable=False)
    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
        # Every message has a From header (RFC 5322); a file without one is not an email.
        if message["From"] is None:
            return unreadable
        return OutboxMessage(
            name=name,
            size=len(data),
            kept_at=kept_at(name),
            readable=True,
            # A long subject is folded onto a second line ("Subject:\n =?utf-8?q?...?="): the fold is not the text.
            subject=str(message["Subject"] or "").strip(),
            sender=", ".join(_addresses(message, "From")) or str(message["From"]),
            to=_addresses(message, "To"),
            cc=_addresses(message, "Cc"),
            bcc=_addresses(message, "Bcc"),
            date=_date(message),
            language=str(message["Content-Language"] or ""),
            text=_part(message, "plain"),
            html=_part(message, "html"),
            attachments=tuple(part.get_filename() or part.get_content_type() for part in message.iter_attachments()),
        )
    # The parser and its header classes fail on arbitrary bytes in more ways than one (ValueError, LookupError
    # for an unknown charset, IndexError and AttributeError from the header parser): a file that cannot be read
    # is shown as such, never as a server error.
    except Exception:
        logger.info("The outbox file %s is not an email that can be read.", name, exc_info=True)
        return unreadable


def _addresses(message: EmailMessage, header: str) -> tuple[str, ...]:
    values = message.get_all(header) or []
    return tuple(str(address) for value in values for address in value.addresses)


def _date(message: EmailMessage) -> datetime | None:
    header = message["Date"]
    moment = getattr(header, "datetime", None)
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _part(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else None
