"""The pages of courses: list, detail (history), add, edit, retire and restore."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, selectors
from ..forms import CourseEditForm, CourseForm
from ..rules import renewal_window_days
from ..services import Author, course_create
from ..services.catalog import course_restore, course_retire, course_update
from .catalog import FormPage, history_rows, submit_form
from .common import course_or_404, render_page, requires


def _page(title: str, submit: str) -> FormPage:
    return FormPage(title=title, submit=submit, section=_("Courses"), section_url="admin:course_list")


@requires(permissions.VIEW)
def course_list(request):
    courses = sorted(selectors.course_list(), key=lambda course: course.name.lower())
    context = {
        "title": _("Courses"),
        "courses": courses,
        "can_add": request.user.has_perm(permissions.MANAGE_COURSES),
    }
    return render_page(request, "admin/backoffice/course_list.html", context)


@requires(permissions.VIEW)
def course_detail(request, course_id: str):
    course = course_or_404(course_id)
    context = {
        "title": course.name,
        "course": course,
        "renewal_window_days": renewal_window_days(course),
        "history": history_rows(selectors.course_history(course.id)),
        "can_edit": request.user.has_perm(permissions.MANAGE_COURSES),
    }
    return render_page(request, "admin/backoffice/course_detail.html", context)


@requires(permissions.MANAGE_COURSES)
def course_edit(request, course_id: str):
    """Change a course's name, periods (for future enrollments), renewal window and eSocial code; refused if someone
    changed it meanwhile."""
    course = course_or_404(course_id)
    initial = {
        "name": course.name,
        "access_period_days": int(course.access_period_days),
        "certificate_validity_days": int(course.certificate_validity_days),
        "renewal_window_days": renewal_window_days(course),
        "esocial_code": course.esocial_code or "",
        "revision": int(course.revision or 0),
    }

    def save(data):
        return course_update(
            course_id=course.id,
            name=data["name"],
            access_period_days=data["access_period_days"],
            certificate_validity_days=data["certificate_validity_days"],
            renewal_window_days=data["renewal_window_days"],
            esocial_code=data["esocial_code"],
            revision=data["revision"],
            author=Author.from_user(request.user),
        )

    return submit_form(
        request,
        CourseEditForm(request.POST or None, initial=initial),
        _page(_("Edit course %(name)s") % {"name": course.name}, _("Save")),
        save=save,
        saved=lambda saved: (
            _("Course %(name)s saved.") % {"name": saved.name},
            reverse("admin:course_detail", args=[saved.id]),
        ),
    )


@requires(permissions.MANAGE_COURSES)
@require_POST
def course_retire_view(request, course_id: str):
    """Retire a course: it takes no new enrollments, its existing ones go on."""
    course = course_retire(course_id=course_or_404(course_id).id, author=Author.from_user(request.user))
    messages.success(request, _("Course %(name)s retired: it takes no new enrollments.") % {"name": course.name})
    return HttpResponseRedirect(reverse("admin:course_detail", args=[course.id]))


@requires(permissions.MANAGE_COURSES)
@require_POST
def course_restore_view(request, course_id: str):
    """Restore a retired course: it takes new enrollments again."""
    course = course_restore(course_id=course_or_404(course_id).id, author=Author.from_user(request.user))
    messages.success(request, _("Course %(name)s restored: it takes new enrollments again.") % {"name": course.name})
    return HttpResponseRedirect(reverse("admin:course_detail", args=[course.id]))


@requires(permissions.MANAGE_COURSES)
def course_add(request):
    def save(data):
        return course_create(
            name=data["name"],
            access_period_days=data["access_period_days"],
            certificate_validity_days=data["certificate_validity_days"],
            renewal_window_days=data["renewal_window_days"],
            esocial_code=data["esocial_code"],
            course_id=data["token"],
            author=Author.from_user(request.user),
        )

    def already_created(_error, _data):
        messages.info(request, _("This form was already sent; the course it created is in the list."))
        return HttpResponseRedirect(reverse("admin:course_list"))

    return submit_form(
        request,
        CourseForm(request.POST or None),
        _page(_("Add a course"), _("Create course")),
        save=save,
        saved=lambda course: (_("Course %(name)s created.") % {"name": course.name}, reverse("admin:course_list")),
        already_created=already_created,
    )
