"""An email backend for development: each message becomes one ``.eml`` file in ``EMAIL_OUTBOX_DIR``.

Django's file backend appends many messages to one log file per connection; here each message is a file of
its own, written under a temporary name and renamed into place, so the outbox page never reads half a message.
"""

import os
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

from .. import clock
from .files import message_name, outbox_dir


class EmailBackend(BaseEmailBackend):
    """Keep every message as ``<time>Z-<uuid>.eml``: the bytes a mail server would get, plus its Bcc header."""

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        folder = outbox_dir()
        sent = 0
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for message in email_messages:
                if not message.recipients():
                    continue
                _write(folder, message_name(clock.now()), _message_bytes(message))
                sent += 1
        except OSError:
            if not self.fail_silently:
                raise
        return sent


def _message_bytes(message) -> bytes:
    mime = message.message()
    # A sender's own copy names its Bcc recipients (the message a mail server gets does not).
    if message.bcc:
        mime["Bcc"] = ", ".join(message.bcc)
    return mime.as_bytes(linesep="\n")


def _write(folder: Path, name: str, data: bytes) -> None:
    # The temporary name starts with a dot and ends in .tmp: the page, which reads only the names the backend
    # gives, never lists it.
    temporary = folder / f".{name}.tmp"
    try:
        with open(temporary, "xb") as file:
            file.write(data)
        os.replace(temporary, folder / name)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
