"""The states of a background job and their labels, for every kind. No I/O.

A job is RUNNING from its start (an import is PREPARING first, while its rows are stored) until every chunk is
recorded (DONE) or its work stopped (FAILED); an export's file deleted after its retention leaves it EXPIRED.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

PREPARING = "PREPARING"
RUNNING = "RUNNING"
DONE = "DONE"
FAILED = "FAILED"
EXPIRED = "EXPIRED"

# The states after which a job's page stops polling.
FINISHED = (DONE, FAILED, EXPIRED)

STATE_LABELS = {
    PREPARING: _("Preparing"),
    RUNNING: _("Running"),
    DONE: _("Done"),
    FAILED: _("Failed"),
    EXPIRED: _("Deleted (older than the retention period)"),
}
# Portuguese makes "done" agree with the job's noun: an import or an export (feminine) is done one way, a bulk
# cancel (o cancelamento, masculine) another.
MASCULINE_STATE_LABELS = {**STATE_LABELS, DONE: pgettext_lazy("bulk cancel state", "Done")}


def waiting_for_queue(job) -> bool:
    """Return whether a running job is stored but the task queue has not taken its work (no ``queued_at``): the
    next sweep queues it once the queue answers, and its page says so."""
    return job.state == RUNNING and not job.queued_at
