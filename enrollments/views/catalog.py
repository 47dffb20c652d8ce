"""Companies, courses, and orders of seats."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import labels, permissions, selectors
from ..exceptions import AlreadyCreated, EnrollmentError
from ..forms import CompanyEditForm, CompanyForm, CourseEditForm, CourseForm, OrderForm, company_choices
from ..rules import PREPAID
from ..services import Author, company_create, course_create, order_create
from ..services.catalog import company_language, company_update, course_restore, course_retire, course_update
from ..validators import format_cnpj
from .common import add_domain_error, company_or_404, course_or_404, render_page, requires


def _form_page(request, form, *, title: str, submit: str, section: str, section_url: str):
    """Render ``form`` on the back office's form page, under its section's crumb."""
    context = {
        "title": title,
        "form": form,
        "submit": submit,
        "section_name": section,
        "section_url": reverse(section_url),
    }
    return render_page(request, "admin/backoffice/form.html", context)


def _courses_by_id() -> dict:
    return {course.id: course for course in selectors.course_list()}


@requires(permissions.VIEW)
def company_list(request):
    companies = sorted(selectors.company_list(), key=lambda company: company.name.lower())
    context = {
        "title": _("Companies"),
        "companies": companies,
        "can_add": request.user.has_perm(permissions.MANAGE_COMPANIES),
    }
    return render_page(request, "admin/backoffice/company_list.html", context)


def seats_and_orders(company) -> dict:
    """Return what ``includes/seats_and_orders.html`` shows: per course the seats bought and left, and the orders."""
    courses = _courses_by_id()
    orders = selectors.order_list(tenant_id=company.id)
    left = selectors.seats_left_by_course(tenant_id=company.id)
    bought: dict[str, int] = {}
    for order in orders:
        bought[order.course_id] = bought.get(order.course_id, 0) + int(order.seats)

    def course_name(course_id: str) -> str:
        return courses[course_id].name if course_id in courses else course_id

    seats = [
        {
            "course_id": course_id,
            "course_name": course_name(course_id),
            "bought": bought.get(course_id, 0),
            "left": left.get(course_id, 0),
        }
        for course_id in sorted(set(bought) | set(left), key=lambda cid: course_name(cid).lower())
    ]
    return {
        "seats": seats,
        "orders": [{"order": order, "course_name": course_name(order.course_id)} for order in orders],
    }


def _shown(field: str, value) -> str:
    """Return a stored value of a catalog field as staff read it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return formats.number_format(value, force_grouping=True)
    if field == "cnpj":
        return format_cnpj(value)
    if field == "language":
        try:
            return translation.get_language_info(value)["name_translated"]
        except KeyError:
            return value
    return str(value)


def history_rows(events) -> list[dict]:
    """Return what a company's or course's history shows: when, who, what, and each change old → new."""
    return [
        {
            "at": event.created_at,
            "author": event.author.name,
            "action": labels.label(labels.CATALOG_ACTIONS, event.action),
            "changes": [
                {
                    "field": labels.label(labels.CATALOG_FIELDS, field),
                    "old": _shown(field, old),
                    "new": _shown(field, new),
                }
                for field, old, new in event.changes or []
            ],
        }
        for event in events
    ]


@requires(permissions.VIEW)
def company_detail(request, company_id: str):
    company = company_or_404(company_id)
    context = {
        "title": company.name,
        "company": company,
        "language": company_language(company),
        **seats_and_orders(company),
        "history": history_rows(selectors.company_history(company.id)),
        "can_order": company.billing == PREPAID and request.user.has_perm(permissions.CREATE_ORDER),
        "can_enroll": request.user.has_perm(permissions.ENROLL),
        "can_edit": request.user.has_perm(permissions.MANAGE_COMPANIES),
    }
    return render_page(request, "admin/backoffice/company_detail.html", context)


@requires(permissions.MANAGE_COMPANIES)
def company_edit(request, company_id: str):
    """Change a company's name, CNPJ and email language; refused if someone changed it since the form was read."""
    company = company_or_404(company_id)
    initial = {
        "name": company.name,
        "cnpj": format_cnpj(company.cnpj) if company.cnpj else "",
        "language": company_language(company),
        "revision": int(company.revision or 0),
    }
    form = CompanyEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            company = company_update(
                company_id=company.id,
                name=data["name"],
                cnpj=data["cnpj"],
                language=data["language"],
                revision=data["revision"],
                author=Author.from_user(request.user),
            )
        except EnrollmentError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Company %(name)s saved.") % {"name": company.name})
            return HttpResponseRedirect(reverse("admin:company_detail", args=[company.id]))
    return _form_page(
        request,
        form,
        title=_("Edit company %(name)s") % {"name": company.name},
        submit=_("Save"),
        section=_("Companies"),
        section_url="admin:company_list",
    )


@requires(permissions.MANAGE_COMPANIES)
def company_add(request):
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            company = company_create(
                name=data["name"],
                billing=data["billing"],
                cnpj=data["cnpj"],
                language=data["language"] or None,
                company_id=data["token"],
                author=Author.from_user(request.user),
            )
        except AlreadyCreated as error:
            messages.info(request, _("This form was already sent; here is the company it created."))
            return HttpResponseRedirect(reverse("admin:company_detail", args=[error.item_id]))
        except EnrollmentError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Company %(name)s created.") % {"name": company.name})
            return HttpResponseRedirect(reverse("admin:company_detail", args=[company.id]))
    return _form_page(
        request,
        form,
        title=_("Add a company"),
        submit=_("Create company"),
        section=_("Companies"),
        section_url="admin:company_list",
    )


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
        "history": history_rows(selectors.course_history(course.id)),
        "can_edit": request.user.has_perm(permissions.MANAGE_COURSES),
    }
    return render_page(request, "admin/backoffice/course_detail.html", context)


@requires(permissions.MANAGE_COURSES)
def course_edit(request, course_id: str):
    """Change a course's name and periods (for future enrollments); refused if someone changed it meanwhile."""
    course = course_or_404(course_id)
    initial = {
        "name": course.name,
        "access_period_days": int(course.access_period_days),
        "certificate_validity_days": int(course.certificate_validity_days),
        "revision": int(course.revision or 0),
    }
    form = CourseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = course_update(
                course_id=course.id,
                name=data["name"],
                access_period_days=data["access_period_days"],
                certificate_validity_days=data["certificate_validity_days"],
                revision=data["revision"],
                author=Author.from_user(request.user),
            )
        except EnrollmentError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Course %(name)s saved.") % {"name": course.name})
            return HttpResponseRedirect(reverse("admin:course_detail", args=[course.id]))
    return _form_page(
        request,
        form,
        title=_("Edit course %(name)s") % {"name": course.name},
        submit=_("Save"),
        section=_("Courses"),
        section_url="admin:course_list",
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
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = course_create(
                name=data["name"],
                access_period_days=data["access_period_days"],
                certificate_validity_days=data["certificate_validity_days"],
                course_id=data["token"],
                author=Author.from_user(request.user),
            )
        except AlreadyCreated:
            messages.info(request, _("This form was already sent; the course it created is in the list."))
            return HttpResponseRedirect(reverse("admin:course_list"))
        except EnrollmentError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Course %(name)s created.") % {"name": course.name})
            return HttpResponseRedirect(reverse("admin:course_list"))
    return _form_page(
        request,
        form,
        title=_("Add a course"),
        submit=_("Create course"),
        section=_("Courses"),
        section_url="admin:course_list",
    )


@requires(permissions.VIEW)
def order_list(request):
    """Show a chosen company's orders and seats left per course."""
    companies = [company for company in selectors.company_list() if company.billing == PREPAID]
    company_id = request.GET.get("company", "")
    company = next((c for c in companies if c.id == company_id), None)
    context = {
        "title": _("Orders and seats"),
        "company_choices": company_choices(companies),
        "company": company,
        **(seats_and_orders(company) if company else {}),
        "can_order": request.user.has_perm(permissions.CREATE_ORDER),
    }
    return render_page(request, "admin/backoffice/order_list.html", context)


@requires(permissions.CREATE_ORDER)
def order_add(request):
    """Buy N seats of a course for a prepaid company."""
    initial = {"company": request.GET.get("company", ""), "course": request.GET.get("course", "")}
    form = OrderForm(
        request.POST or None, initial=initial, companies=selectors.company_list(), courses=selectors.course_list()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = order_create(
                tenant_id=data["company"],
                course_id=data["course"],
                seats=data["seats"],
                author=Author.from_user(request.user),
                order_id=data["token"],
                purchase_order=data["purchase_order"],
            )
        except AlreadyCreated:
            # The same form sent twice: the first submit bought the seats.
            messages.info(request, _("This form was already sent; its order is below."))
            return HttpResponseRedirect(reverse("admin:company_detail", args=[data["company"]]))
        except EnrollmentError as error:
            add_domain_error(form, error, fields=OrderForm.SERVICE_FIELDS)
        else:
            messages.success(
                request, _("Order %(id)s of %(seats)s seats created.") % {"id": order.order_id, "seats": order.seats}
            )
            return HttpResponseRedirect(reverse("admin:company_detail", args=[order.tenant_id]))
    return _form_page(
        request,
        form,
        title=_("Create an order of seats"),
        submit=_("Create order"),
        section=_("Orders and seats"),
        section_url="admin:order_list",
    )
