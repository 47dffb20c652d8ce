"""Seat sources of an enrollment: where ``commit_enrollment`` takes a company's free seat from, attempt by attempt.

``enroll`` reads candidates one course at a time (``SeatCandidates``); an import's chunk shares one pool
per course between its threads (``services.enrollment_bulk._SeatPool``). Both are ``SeatSource``s.
"""

import random
from typing import Protocol

from .. import selectors
from ..dynamo.models import VacancyItem


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
