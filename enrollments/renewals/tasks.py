"""The tasks of automatic renewal: renew a company's pending people when seats of their course arrive."""

import logging

from celery import shared_task
from django.conf import settings
from kombu.exceptions import KombuError

from ..exceptions import ConcurrentChange, StorageUnavailable
from ..tasks import OUTAGE_RETRIES
from . import automatic, pending

logger = logging.getLogger(__name__)


# acks_late: a renewal's id is fixed by its certificate's, so a task delivered again renews nobody twice.
@shared_task(
    name="enrollments.renewals.renew_pending",
    acks_late=True,
    autoretry_for=(StorageUnavailable, ConcurrentChange),
    **OUTAGE_RETRIES,
)
def renew_pending(tenant_id: str, course_id: str) -> dict:
    """Renew the company's people pending in the course while its seats last; return how many came to each result."""
    return dict(automatic.renewals_pending_on_seats(tenant_id=tenant_id, course_id=course_id))


def renew_pending_when_seats_arrive(*, tenant_id: str, course_id: str) -> None:
    """Queue ``renew_pending`` on ``IMPORTS_QUEUE`` (the background jobs' queue) if anyone of the company waits for a
    seat of the course (``services.seats.on_seats_arrived`` calls it after an order). A queue that does not answer
    is logged: "Renew now" on the pending page, or the next order, renews them."""
    if not pending.renewals_pending_exist(tenant_id, course_id):
        return
    try:
        renew_pending.apply_async((tenant_id, course_id), queue=settings.IMPORTS_QUEUE)
    except KombuError:
        logger.warning(
            "seats of %s arrived for %s: the task queue did not take the pending renewals", course_id, tenant_id
        )
