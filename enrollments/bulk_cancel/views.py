"""Pages of bulk cancels: the list of jobs and the confirmation form (a job's page and progress JSON are every
kind's: ``jobs.views``)."""

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import labels, permissions
from ..exceptions import BulkCancelAlreadyStarted, EnrollmentError, ImportJobNotFound
from ..jobs.states import waiting_for_queue
from ..jobs.tasks import enqueue_for
from ..rules import is_uuid_id
from ..services import Author
from ..views.common import add_domain_error, render_page, requires
from . import selectors, services
from .forms import BulkCancelForm
from .kind import BULK_CANCEL

JOBS_LISTED = 50
# The confirmation names this many of the enrollments it cancels, and counts the others.
SELECTION_SHOWN = 25


def _detail_url(job_id: str) -> str:
    return reverse("admin:bulk_cancel_detail", args=[job_id])


@requires(permissions.VIEW)
def bulk_cancel_list(request):
    """Show the recent bulk cancels, newest first."""
    context = {"title": _("Bulk cancels"), "jobs": selectors.bulk_cancel_list(limit=JOBS_LISTED)}
    return render_page(request, "admin/backoffice/bulk_cancel_list.html", context)


@requires(permissions.CANCEL)
def bulk_cancel_confirm(request):
    """Ask one reason for the enrollments selected on the list (or every one of a finished import), then start.

    The list posts the selection without a token: that shows the form. The form posts its token, which
    becomes the job's id, so a double click finds the job the first click started.
    """
    data = request.POST if request.method == "POST" else request.GET
    import_id = _import_id(data.get("import_id"))
    if request.method == "POST" and "token" in request.POST:
        form = BulkCancelForm(request.POST)
        ids = (request.POST.get("enrollment_ids") or "").split()
    else:
        ids = request.POST.getlist("enrollment")
        form = BulkCancelForm(initial={"enrollment_ids": "\n".join(ids), "import_id": import_id})
    if import_id:
        ids = _import_ids(import_id)
    elif not all(is_uuid_id(enrollment_id) for enrollment_id in ids):
        raise Http404(_("No enrollment has this id."))
    if form.is_bound and form.is_valid():
        job_id = form.cleaned_data["token"]
        try:
            job = services.bulk_cancel_start(
                job_id=job_id,
                enrollment_ids=ids,
                reason=form.cleaned_data["reason"],
                notify_learner=form.cleaned_data["notify_learner"],
                import_id=import_id,
                author=Author.from_user(request.user),
                enqueue=enqueue_for(BULK_CANCEL),
            )
        except BulkCancelAlreadyStarted:
            return HttpResponseRedirect(_detail_url(job_id))
        except EnrollmentError as error:
            add_domain_error(form, error)
        else:
            if waiting_for_queue(job):
                messages.warning(request, labels.JOB_WAITING_FOR_QUEUE)
            else:
                messages.success(request, _("The bulk cancel started: the bar shows its progress."))
            return HttpResponseRedirect(_detail_url(job_id))
    selection = selectors.enrollments_listed(ids, limit=SELECTION_SHOWN)
    more = len(ids) - len(selection)
    context = {
        "title": _("Cancel enrollments"),
        "form": form,
        "count": len(ids),
        "count_text": ngettext(
            "%(count)s enrollment will be canceled.", "%(count)s enrollments will be canceled.", len(ids)
        )
        % {"count": number_format(len(ids), force_grouping=True)},
        "selection": selection,
        "more_text": ngettext("…and %(count)s more enrollment.", "…and %(count)s more enrollments.", more)
        % {"count": number_format(more, force_grouping=True)}
        if selection and more
        else "",
        "import_id": import_id,
    }
    return render_page(request, "admin/backoffice/bulk_cancel_confirm.html", context)


def _import_id(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise Http404(_("No import has this id.")) from None


def _import_ids(import_id: str) -> list[str]:
    try:
        done = selectors.import_is_done(import_id)
    except ImportJobNotFound as error:
        raise Http404(error.message) from None
    if not done:
        raise Http404(_("Only a finished import's enrollments can be canceled at once."))
    return selectors.import_enrollment_ids(import_id)
