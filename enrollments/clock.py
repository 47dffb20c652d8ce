"""The one clock of the system: every service asks it for the time, tests set it."""

from contextlib import contextmanager
from datetime import UTC, datetime

_frozen_at: datetime | None = None

ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now() -> datetime:
    """Return the current time in UTC (the frozen time while one is set)."""
    return _frozen_at or datetime.now(UTC)


def set_now(at: datetime | None) -> None:
    """Freeze the clock at ``at``, or unfreeze it with ``None``."""
    global _frozen_at
    if at is not None and at.tzinfo is None:
        raise ValueError("The clock needs an aware datetime.")
    _frozen_at = at.astimezone(UTC) if at else None


@contextmanager
def frozen(at: datetime):
    """Run the block with the clock frozen at ``at``."""
    previous = _frozen_at
    set_now(at)
    try:
        yield at
    finally:
        set_now(previous)


def to_iso(moment: datetime) -> str:
    """Return ``moment`` as a fixed-width ISO 8601 UTC string, so strings sort as times."""
    return moment.astimezone(UTC).strftime(ISO_FORMAT)


def from_iso(text: str) -> datetime:
    """Parse a string written by :func:`to_iso` (or any ISO 8601 string with a zone)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone.")
    return moment.astimezone(UTC)


def now_iso() -> str:
    """Return :func:`now` as an ISO string."""
    return to_iso(now())
