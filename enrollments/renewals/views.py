"""Pages of renewals: the list of jobs, a company's preview with its confirmation (a job's page and progress
JSON are every kind's: ``jobs.views``), and a company's pending automatic renewals with "Renew now"."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import clock, labels, permissions, rules
from .. import selectors as core_selectors
from ..exceptions import EnrollmentError, RenewalAlreadyStarted
from ..jobs.states import waiting_for_queue
from ..jobs.tasks import enqueue_for
from ..services import Author
from ..views.common import add_domain_error, company_or_404, course_or_404, render_page, requires
from . import automatic, selectors, services
from . import pending as pending_selectors
from .forms import PendingRenewForm, RenewalForm
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


# The pending people one "Renew now" tries at most, so the request stays short: the page says how many are left.
PENDING_RENEW_LIMIT = 100
# The pending people the page lists; the counts count them all.
PENDING_ROWS = 500
# The names a message says before "and N more".
NAMES_SAID = 10


@requires(permissions.VIEW)
def renewal_pending(request, company_id: str):
    """Show the company's people waiting for a seat to be renewed automatically, and the seats per course; "Renew
    now" (staff who may enroll) renews the ticked people, or every one, while seats last, and says what became of
    each. Sent twice, the second renews nobody: the people renewed no longer wait."""
    company = company_or_404(company_id)
    can_enroll = request.user.has_perm(permissions.ENROLL)
    form = PendingRenewForm(request.POST or None)
    if request.method == "POST":
        if not can_enroll:
            raise PermissionDenied
        if form.is_valid():
            outcome = automatic.renewals_pending_renew(
                tenant_id=company.id,
                author=Author.from_user(request.user),
                renewed_ids=form.renewed_ids(),
                limit=PENDING_RENEW_LIMIT,
            )
            _say_outcome(request, outcome)
            return HttpResponseRedirect(reverse("admin:renewal_pending", args=[company.id]))
    waiting = pending_selectors.renewals_pending(company.id)
    prepaid = company.billing == rules.PREPAID
    seats = core_selectors.seats_left_by_course(tenant_id=company.id) if prepaid and waiting else {}
    courses: dict[str, dict] = {}
    for item in waiting:
        row = courses.setdefault(
            item.course_id,
            {"id": item.course_id, "name": item.course_name, "waiting": 0, "available": seats.get(item.course_id, 0)},
        )
        row["waiting"] += 1
    context = {
        "title": _("Pending renewals at %(company)s") % {"company": company.name},
        "company": company,
        "pending": waiting[:PENDING_ROWS],
        "pending_more": max(0, len(waiting) - PENDING_ROWS),
        "pending_text": ngettext(
            "%(count)s person waits for a seat to be renewed.",
            "%(count)s people wait for a seat to be renewed.",
            len(waiting),
        )
        % {"count": number_format(len(waiting), force_grouping=True)},
        "courses": sorted(courses.values(), key=lambda row: row["name"].lower()),
        "prepaid": prepaid,
        "auto_renews": bool(company.auto_renew),
        "form": form,
        "can_enroll": can_enroll,
        "can_order": prepaid and request.user.has_perm(permissions.CREATE_ORDER),
        "can_edit": request.user.has_perm(permissions.MANAGE_COMPANIES),
        "renew_limit": PENDING_RENEW_LIMIT,
        "report_url": reverse("admin:compliance_report", args=[company.id]),
    }
    return render_page(request, "admin/backoffice/renewal_pending.html", context)


def _names(results) -> str:
    names = [result.item.user.name for result in results]
    said = ", ".join(names[:NAMES_SAID])
    if len(names) > NAMES_SAID:
        more = len(names) - NAMES_SAID
        said = ngettext("%(names)s and %(count)s more person", "%(names)s and %(count)s more people", more) % {
            "names": said,
            "count": more,
        }
    return said


def _say_outcome(request, outcome: automatic.PendingRenewal) -> None:
    """Say what "Renew now" did: how many were renewed, who was not and why, and how many are left to try."""
    if not outcome.results and not outcome.untried:
        messages.info(request, _("Nobody of those waits for a renewal any more: nothing to do."))
        return
    by_result = defaultdict(list)
    for result in outcome.results:
        by_result[result.result].append(result)
    renewed = len(by_result.pop(selectors.RENEWED, []))
    if renewed:
        messages.success(
            request,
            ngettext("%(count)s person renewed.", "%(count)s people renewed.", renewed)
            % {"count": number_format(renewed, force_grouping=True)},
        )
    for result in by_result.pop(selectors.FAILED, []):
        messages.error(
            request,
            _("%(name)s was not renewed: %(message)s")
            % {"name": result.item.user.name, "message": result.message or labels.RENEWAL_RESULTS["failed"]},
        )
    for code, results in sorted(by_result.items()):
        words = labels.label(labels.RENEWAL_RESULTS, code)
        gone = [result for result in results if not result.pending]
        if gone:
            messages.info(
                request,
                _("%(reason)s, no longer waiting: %(names)s.") % {"reason": words, "names": _names(gone)},
            )
        if kept := [result for result in results if result.pending]:
            messages.warning(request, _("%(reason)s: %(names)s.") % {"reason": words, "names": _names(kept)})
    if outcome.untried:
        messages.info(
            request,
            ngettext(
                "%(count)s more person was not tried yet: renew again.",
                "%(count)s more people were not tried yet: renew again.",
                outcome.untried,
            )
            % {"count": number_format(outcome.untried, force_grouping=True)},
        )
