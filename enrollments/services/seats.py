"""Seat sources of an enrollment: where ``commit_enrollment`` takes a company's free seat from, attempt by attempt.

``enroll`` reads candidates one course at a time (``SeatCandidates``); an import's chunk shares one pool
per course between its threads (``services.enrollment_bulk._SeatPool``). Both are ``SeatSource``s.
"""

import logging
import random
from collections.abc import Callable
from typing import Protocol

from .. import selectors
from ..dynamo.models import VacancyItem

logger = logging.getLogger(__name__)

# Who is told when seats of a course arrive for a company (``order_create`` wrote them): apps that wait for seats
# register when ready (the renewals app renews the people waiting for one). Called with ``tenant_id`` and
# ``course_id``; each must be quick (queue work, do not do it).
SeatsArrived = Callable[..., None]
_seats_arrived: list[SeatsArrived] = []


def on_seats_arrived(listener: SeatsArrived) -> None:
    """Call ``listener(tenant_id=, course_id=)`` whenever an order's seats have been written (once per listener)."""
    if listener not in _seats_arrived:
        _seats_arrived.append(listener)


def seats_arrived(*, tenant_id: str, course_id: str) -> None:
    """Tell every listener that seats of the course arrived for the company. The seats are written whatever a
    listener does: one that raises is logged, and the others are still told."""
    for listener in _seats_arrived:
        try:
            listener(tenant_id=tenant_id, course_id=course_id)
        except Exception:
            logger.exception("seats of %s arrived for %s: a listener failed", course_id, tenant_id)


class SeatSource(Protocol):
    """Hands out free seats. Every seat taken comes back once: ``release`` when the attempt left it free,
    ``settle`` when it is gone (this enrollment consumed it, or another one did first)."""

    def take(self) -> VacancyItem | None: ...
    def release(self, seat: VacancyItem) -> None: ...
    def settle(self, seat: VacancyItem) -> None: ...


class SeatCandidates:
    """Free seats of one course at one company, fetched when the last candidate is used."""

    def __init__(self, *, tenant_id: str, course_id: str):
        self.tenant_id, self.course_id = tenant_id, course_id
        self._candidates: list[VacancyItem] = []

    def take(self) -> VacancyItem | None:
        if not self._candidates:
            self._candidates = selectors.free_seats(tenant_id=self.tenant_id, course_id=self.course_id)
            if not self._candidates:
                return None
        # A random pick keeps concurrent enrollments off the same seat.
        return self._candidates.pop(random.randrange(len(self._candidates)))

    def release(self, seat: VacancyItem) -> None:
        self._candidates.append(seat)

    def settle(self, seat: VacancyItem) -> None:
        pass
