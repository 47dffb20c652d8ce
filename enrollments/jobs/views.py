"""The page of a background job of any kind and its ``progress.json``, which the page's bar polls.

Each kind's section mounts them under its own paths and URL names (``routes``): the breadcrumbs stay the
section's, and the first URLs keep working.
"""

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from .. import permissions
from ..views.common import render_page, requires
from .kinds import JobKind, kind_named
from .selectors import job_get, job_progress


def _job_or_404(kind: JobKind, job_id):
    try:
        return job_get(kind, str(job_id))
    except kind.not_found as error:
        raise Http404(error.message) from None


@requires(permissions.VIEW)
def job_detail(request, job_id, *, kind: str):
    """Show a job's progress bar, kept live by polling its progress JSON, then what the kind shows of it."""
    kind = kind_named(kind)
    job = _job_or_404(kind, job_id)
    progress = job_progress(kind, job)
    context = {
        "title": kind.title(job),
        "kind": kind,
        "job": job,
        "progress": progress,
        "progress_url": reverse(f"admin:{kind.url_name}_progress_json", args=[job.job_id]),
        "state_label": kind.state_labels.get(job.state, job.state),
        "state_labels": {state: str(words) for state, words in kind.state_labels.items()},
        "waiting_text": kind.waiting_text(),
        **kind.page_context(job, progress),
    }
    return render_page(request, kind.template, context)


@requires(permissions.VIEW)
@require_GET
def job_progress_json(request, job_id, *, kind: str):
    """Return the progress of a job: its page's bar polls this."""
    kind = kind_named(kind)
    return JsonResponse(job_progress(kind, _job_or_404(kind, job_id)))


def _bound(view, kind_name: str, name: str):
    def bound(request, job_id):
        return view(request, job_id, kind=kind_name)

    # A section names each URL after its view (``admin:<name>``).
    bound.__name__ = bound.__qualname__ = name
    bound.__doc__ = view.__doc__
    return bound


def routes(kind_name: str, url_name: str) -> list[tuple]:
    """Return the ``(route, view)`` pairs of a kind's job page and progress JSON, for its section's ``more``:
    ``<uuid:job_id>/`` named ``<url_name>_detail`` and ``<uuid:job_id>/progress.json`` named
    ``<url_name>_progress_json``."""
    return [
        ("<uuid:job_id>/", _bound(job_detail, kind_name, f"{url_name}_detail")),
        ("<uuid:job_id>/progress.json", _bound(job_progress_json, kind_name, f"{url_name}_progress_json")),
    ]
