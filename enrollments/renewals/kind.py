"""The renewal kind of background job: its items, keys, errors, chunk work, progress and page (``jobs.kinds``)."""

from django.utils.translation import gettext as _

from ..dynamo import keys
from ..dynamo.models import ActiveRenewalItem, RenewalJobItem, RenewalResultItem
from ..exceptions import RenewalAlreadyStarted, RenewalNotFound
from ..jobs.kinds import JobKind, register
from . import selectors
from .selectors import KIND_NAME
from .services import renewal_chunk_results


def _page_context(job, progress: dict) -> dict:
    # Each person's result, once the job is done (the page loads again when it finishes); the course of the
    # report's count it was started from, if one.
    return {
        "results": selectors.result_lines(job.job_id) if progress["finished"] else [],
        "course": selectors.course_find(job.course_id) if job.course_id else None,
    }


RENEWAL = register(
    JobKind(
        name=KIND_NAME,
        model=RenewalJobItem,
        job_key=keys.renewal_job,
        not_found=RenewalNotFound,
        already_started=RenewalAlreadyStarted,
        progress=selectors.progress_numbers,
        chunk_key=keys.renewal_chunk,
        result_key=keys.renewal_result,
        result_model=RenewalResultItem,
        processed_attribute="done",
        chunk_results=renewal_chunk_results,
        active_model=ActiveRenewalItem,
        active_key=keys.active_renewal,
        template="admin/backoffice/renewal_detail.html",
        title=lambda job: _("Renewal at %(company)s") % {"company": job.tenant_name},
        dom_id="renewal",
        url_name="renewal",
        page_context=_page_context,
    )
)
