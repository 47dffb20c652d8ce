"""The outbox's folder and the names of its files: one ``.eml`` a message, named after the moment it was kept."""

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

_STAMP = "%Y%m%dT%H%M%S.%f"
# ``20260302T120000.123456Z-<32 hex>.eml``: fixed width, so names sort as the moments they were written. Nothing
# else is ever read from the folder: a name from a URL that does not match cannot reach another file.
NAME = re.compile(r"\A([0-9]{8}T[0-9]{6}\.[0-9]{6})Z-[0-9a-f]{32}\.eml\Z")


def outbox_dir() -> Path:
    """Return the folder the outbox backend writes to (``EMAIL_OUTBOX_DIR``)."""
    return Path(settings.EMAIL_OUTBOX_DIR)


def message_name(at: datetime) -> str:
    """Return a new file name for a message kept at ``at``: its UTC time to the microsecond, then a random uuid."""
    return f"{at.astimezone(UTC).strftime(_STAMP)}Z-{uuid.uuid4().hex}.eml"


def is_message_name(name: str) -> bool:
    """Return whether ``name`` is a name the backend writes."""
    return NAME.match(name) is not None


def kept_at(name: str) -> datetime:
    """Return the moment a message of ``name`` (a name the backend writes) was kept."""
    return datetime.strptime(NAME.match(name).group(1), _STAMP).replace(tzinfo=UTC)
