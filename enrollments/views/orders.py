"""The pages of orders of seats: a company's seats and orders, and buying seats."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import permissions, selectors
from ..forms import OrderForm, company_choices
from ..rules import PREPAID
from ..services import Author, order_create
from .catalog import FormPage, courses_by_id, submit_form
from .common import render_page, requires


def seats_and_orders(company) -> dict:
    """Return what ``includes/seats_and_orders.html`` shows: per course the seats bought and left, and the orders."""
    courses = courses_by_id()
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

    def save(data):
        return order_create(
            tenant_id=data["company"],
            course_id=data["course"],
            seats=data["seats"],
            author=Author.from_user(request.user),
            order_id=data["token"],
            purchase_order=data["purchase_order"],
        )

    def already_created(_error, data):
        # The same form sent twice: the first submit bought the seats.
        messages.info(request, _("This form was already sent; its order is below."))
        return HttpResponseRedirect(reverse("admin:company_detail", args=[data["company"]]))

    return submit_form(
        request,
        form,
        FormPage(
            title=_("Create an order of seats"),
            submit=_("Create order"),
            section=_("Orders and seats"),
            section_url="admin:order_list",
        ),
        save=save,
        saved=lambda order: (
            ngettext("Order %(id)s of %(seats)s seat created.", "Order %(id)s of %(seats)s seats created.", order.seats)
            % {"id": order.order_id, "seats": number_format(order.seats, force_grouping=True)},
            reverse("admin:company_detail", args=[order.tenant_id]),
        ),
        already_created=already_created,
        fields=OrderForm.SERVICE_FIELDS,
    )
