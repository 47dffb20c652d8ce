"""The one clock of the system: every service asks it for the time, tests set it."""

from contextlib import contextmanager
from datetime import UTC, datetime

_frozen_at: datetime | None = None

ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# strftime writes the year without padding (``999``, not ``0999``) on Linux: the year is written by hand.
_AFTER_YEAR_FORMAT = ISO_FORMAT.removeprefix("%Y")


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
    """Return ``moment`` as a fixed-width ISO 8601 UTC string (``ISO_FORMAT``), so strings sort as times."""
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}{utc.strftime(_AFTER_YEAR_FORMAT)}"


def from_iso(text: str) -> datetime:
    """Parse a string written by :func:`to_iso` (or any ISO 8601 string with a zone).

    Raise ``ValueError`` for anything else, including a time its offset moves out of years 1 to 9999.
    """
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone.")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text!r} is out of the range of years 1 to 9999 in UTC.") from None


def now_iso() -> str:
    """Return :func:`now` as an ISO string."""
    return to_iso(now())
