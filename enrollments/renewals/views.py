"""Pages of renewals: the list of jobs, and a company's preview with its confirmation (a job's page and progress
JSON are every kind's: ``jobs.views``)."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import clock, labels, permissions, rules
from ..exceptions import EnrollmentError, RenewalAlreadyStarted
from ..jobs.states import waiting_for_queue
from ..jobs.tasks import enqueue_for
from ..services import Author
from ..views.common import add_domain_error, company_or_404, course_or_404, render_page, requires
from . import selectors, services
from .forms import RenewalForm
from .kind import RENEWAL

JOBS_LISTED = 50
# The people each list of a preview shows; the counts always count them all.
PREVIEW_ROWS = 500


def _detail_url(job_id: str) -> str:
    return reverse("admin:renewal_detail", args=[job_id])


@requires(permissions.VIEW)
def renewal_list(request):
    """Show the recent renewals, newest first."""
    context = {"title": _("Renewals"), "jobs": selectors.renewal_list(limit=JOBS_LISTED)}
    return render_page(request, "admin/backoffice/renewal_list.html", context)


def _selection(data) -> tuple:
    """Return the course (or ``None``) and bucket (or ``None``) a preview is of: a count of the report, or every
    person due; 404 for a course or count that does not exist."""
    course_id, bucket = data.get("course") or None, data.get("bucket") or None
    if (course_id is None) != (bucket is None):
        raise Http404(_("A renewal is of one count of the report (a course and a count), or of every person due."))
    if bucket is not None and bucket not in selectors.RENEWAL_BUCKETS:
        raise Http404(_("Only the expiring and expired counts of the report can be renewed."))
    return (course_or_404(course_id) if course_id else None), bucket


@requires(permissions.ENROLL)
def renewal_preview(request, company_id: str):
    """Show who a renewal enrolls again and who it cannot, and why; its form starts the renewal job.

    GET shows the preview and writes nothing. The form posts its token, which becomes the job's id, so a double
    click finds the job the first click started.
    """
    company = company_or_404(company_id)
    course, bucket = _selection(request.POST if request.method == "POST" else request.GET)
    form = RenewalForm(request.POST or None, initial={"course": course.id if course else "", "bucket": bucket or ""})
    if request.method == "POST" and form.is_valid():
        job_id = form.cleaned_data["token"]
        try:
            job = services.renewal_start(
                job_id=job_id,
                tenant_id=company.id,
                course_id=course.id if course else None,
                bucket=bucket,
                author=Author.from_user(request.user),
                enqueue=enqueue_for(RENEWAL),
            )
        except RenewalAlreadyStarted:
            return HttpResponseRedirect(_detail_url(job_id))
        except EnrollmentError as error:
            add_domain_error(form, error)
        else:
            if waiting_for_queue(job):
                messages.warning(request, labels.JOB_WAITING_FOR_QUEUE)
            else:
                messages.success(request, _("The renewal started: the bar shows its progress."))
            return HttpResponseRedirect(_detail_url(job_id))
    preview = selectors.renewal_preview(
        company=company, now=clock.now(), course_id=course.id if course else None, bucket=bucket
    )
    renewable, refused = len(preview.renewable), len(preview.refused)
    context = {
        "title": _("Renew certificates at %(company)s") % {"company": company.name},
        "company": company,
        "course": course,
        "bucket_label": labels.BUCKETS[bucket] if bucket else None,
        "preview": preview,
        "form": form,
        "renewable": preview.renewable[:PREVIEW_ROWS],
        "refused": preview.refused[:PREVIEW_ROWS],
        "renewable_more": max(0, renewable - PREVIEW_ROWS),
        "refused_more": max(0, refused - PREVIEW_ROWS),
        "renewable_text": ngettext(
            "%(count)s person will be enrolled again.", "%(count)s people will be enrolled again.", renewable
        )
        % {"count": number_format(renewable, force_grouping=True)},
        "refused_text": ngettext(
            "%(count)s person cannot be renewed now.", "%(count)s people cannot be renewed now.", refused
        )
        % {"count": number_format(refused, force_grouping=True)},
        "prepaid": company.billing == rules.PREPAID,
        "short": any(row.short for row in preview.seats),
        "report_url": reverse("admin:compliance_report", args=[company.id]),
    }
    return render_page(request, "admin/backoffice/renewal_preview.html", context)
