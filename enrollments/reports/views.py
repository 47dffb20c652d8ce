"""Pages of the Reports section: a company's compliance report, the people of each count and their export."""

from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import clock, labels, permissions, rules, selectors
from ..exports import files
from ..exports.views import export_response
from ..views.common import company_or_404, course_or_404, render_page, requires
from . import selectors as reports
from .export_source import REPORT
from .forms import CompanyPickForm

PEOPLE_PAGE_SIZE = 100


def _bucket_or_404(bucket: str) -> str:
    if bucket not in rules.BUCKETS:
        raise Http404(_("No count of the report is called %(name)s.") % {"name": bucket})
    return bucket


def _renew_url(company, course, bucket: str, count: int, *, can_renew: bool) -> str | None:
    """Return the renewal preview of one count of the report, when it may hold people due for renewal."""
    if not (can_renew and count and rules.renewal_may_be_due(bucket, rules.renewal_window_days(course))):
        return None
    query = urlencode({"course": course.id, "bucket": bucket})
    return f"{reverse('admin:renewal_preview', args=[company.id])}?{query}"


def _report_context(request, company) -> dict:
    now = clock.now()
    rows = reports.compliance_counts(tenant_id=company.id, now=now)
    # Renewing enrolls people again: for staff who may enroll.
    can_renew = request.user.has_perm(permissions.ENROLL)
    return {
        "company": company,
        "now": clock.to_iso(now),
        "buckets": [(bucket, labels.BUCKETS_SHORT[bucket], labels.BUCKETS[bucket]) for bucket in rules.BUCKETS],
        "rows": [
            {
                "course": row.course,
                "total": row.total,
                "cells": [
                    (
                        bucket,
                        row.counts[bucket],
                        _renew_url(company, row.course, bucket, row.counts[bucket], can_renew=can_renew),
                    )
                    for bucket in rules.BUCKETS
                ],
            }
            for row in rows
        ],
        "renew_all_url": reverse("admin:renewal_preview", args=[company.id]) if can_renew and rows else None,
    }


@requires(permissions.VIEW)
def compliance_index(request):
    """Pick a company and show its compliance report."""
    form = CompanyPickForm(request.GET or None, companies=selectors.company_list())
    context = {"title": _("Compliance reports"), "form": form}
    if form.is_valid():
        context.update(_report_context(request, company_or_404(form.cleaned_data["company"])))
    return render_page(request, "admin/backoffice/compliance_report.html", context)


@requires(permissions.VIEW)
def compliance_report(request, company_id: str):
    """Show a company's compliance report: per course, its people in each bucket."""
    company = company_or_404(company_id)
    context = {"title": _("Compliance of %(company)s") % {"company": company.name}, **_report_context(request, company)}
    return render_page(request, "admin/backoffice/compliance_report.html", context)


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@requires(permissions.VIEW)
def compliance_people(request, company_id: str, course_id: str, bucket: str):
    """List the people of one count of the report, a page at a time, with their certificate reminder if expiring."""
    company, course, bucket = company_or_404(company_id), course_or_404(course_id), _bucket_or_404(bucket)
    number = _page_number(request)
    people = reports.bucket_people(tenant_id=company.id, course_id=course.id, bucket=bucket, now=clock.now())
    # A person's place needs their enrollments read newest first from the start: page N reads the pages before it.
    start, shown, has_next = (number - 1) * PEOPLE_PAGE_SIZE, [], False
    for position, enrollment in enumerate(people):
        if position >= start + PEOPLE_PAGE_SIZE:
            has_next = True
            break
        if position >= start:
            shown.append(enrollment)
    expiring = bucket in rules.EXPIRING_BUCKETS
    rows = list(reports.with_reminders(shown)) if expiring else [(enrollment, None) for enrollment in shown]
    context = {
        "title": _("%(situation)s: %(course)s at %(company)s")
        % {"situation": labels.BUCKETS[bucket], "course": course.name, "company": company.name},
        "company": company,
        "course": course,
        "bucket": bucket,
        "rows": rows,
        "show_reminders": expiring,
        "page_number": number,
        "previous_url": f"?page={number - 1}" if number > 1 else None,
        "next_url": f"?page={number + 1}" if has_next else None,
        "exports": [
            (fmt.upper(), reverse("admin:compliance_export", args=[company.id, course.id, bucket, fmt]))
            for fmt in files.FORMATS
        ],
        "renew_url": _renew_url(
            company, course, bucket, len(rows), can_renew=request.user.has_perm(permissions.ENROLL)
        ),
    }
    return render_page(request, "admin/backoffice/compliance_people.html", context)


@requires(permissions.VIEW)
def compliance_export(request, company_id: str, course_id: str, bucket: str, fmt: str):
    """Export the people of one count of the report as CSV or xlsx."""
    company, course, bucket = company_or_404(company_id), course_or_404(course_id), _bucket_or_404(bucket)
    params = {"tenant_id": company.id, "course_id": course.id, "bucket": bucket}
    back = reverse("admin:compliance_people", args=[company.id, course.id, bucket])
    return export_response(request, REPORT, params, fmt, back_url=back)
