"""The pages of companies: list, detail (seats, orders, history), add and edit."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .. import permissions, selectors
from ..exceptions import CnpjTaken
from ..forms import CompanyEditForm, CompanyForm
from ..rules import PREPAID
from ..services import Author, company_create
from ..services.catalog import company_language, company_update
from ..validators import format_cnpj
from .catalog import FormPage, courses_by_id, history_rows, submit_form
from .common import add_domain_error, company_or_404, panels, render_page, requires
from .orders import seats_and_orders


def _page(title: str, submit: str) -> FormPage:
    return FormPage(title=title, submit=submit, section=_("Companies"), section_url="admin:company_list")


def _show_error(form, error, *, fields=None) -> None:
    """Show a service's error on the form; a taken CNPJ on its field, with a link to the company that holds it."""
    if isinstance(error, CnpjTaken):
        holder_url = reverse("admin:company_detail", args=[error.holder_id])
        link = _("See the company %(name)s") % {"name": error.holder_name}
        form.add_error(
            "cnpj", format_html('{} <a href="{}" class="cnpj-holder">{}</a>', error.message, holder_url, link)
        )
        return
    add_domain_error(form, error, fields=fields)


@requires(permissions.VIEW)
def company_list(request):
    companies = sorted(selectors.company_list(), key=lambda company: company.name.lower())
    context = {
        "title": _("Companies"),
        "companies": companies,
        "can_add": request.user.has_perm(permissions.MANAGE_COMPANIES),
    }
    return render_page(request, "admin/backoffice/company_list.html", context)


@requires(permissions.VIEW)
def company_detail(request, company_id: str):
    company = company_or_404(company_id)
    context = {
        "title": company.name,
        "company": company,
        "language": company_language(company),
        "auto_renew_courses": _course_names(company.auto_renew_courses),
        **seats_and_orders(company),
        "history": history_rows(selectors.company_history(company.id)),
        "can_order": company.billing == PREPAID and request.user.has_perm(permissions.CREATE_ORDER),
        "can_enroll": request.user.has_perm(permissions.ENROLL),
        "can_edit": request.user.has_perm(permissions.MANAGE_COMPANIES),
        "panels": panels("company_detail", request, company=company),
    }
    return render_page(request, "admin/backoffice/company_detail.html", context)


@requires(permissions.MANAGE_COMPANIES)
def company_edit(request, company_id: str):
    """Change a company's name, CNPJ, email language and digest period; refused if someone changed it since the form
    was read."""
    company = company_or_404(company_id)
    initial = {
        "name": company.name,
        "cnpj": format_cnpj(company.cnpj) if company.cnpj else "",
        **_auto_renew_initial(company),
        "language": company_language(company),
        "digest_period": company.digest_period or "",
        "revision": int(company.revision or 0),
    }

    def save(data):
        return company_update(
            company_id=company.id,
            name=data["name"],
            cnpj=data["cnpj"],
            auto_renew=data["auto_renew"],
            auto_renew_courses=data["auto_renew_courses"],
            language=data["language"],
            digest_period=data["digest_period"],
            revision=data["revision"],
            author=Author.from_user(request.user),
        )

    return submit_form(
        request,
        CompanyEditForm(request.POST or None, initial=initial, courses=selectors.course_list()),
        _page(_("Edit company %(name)s") % {"name": company.name}, _("Save")),
        save=save,
        saved=lambda saved: (
            _("Company %(name)s saved.") % {"name": saved.name},
            reverse("admin:company_detail", args=[saved.id]),
        ),
        show_error=_show_error,
    )


def _course_names(course_ids) -> list[str]:
    """Return the names of these courses, sorted (an id the catalog lacks as it is)."""
    if not course_ids:
        return []
    courses = courses_by_id()
    return sorted((courses[i].name if i in courses else i for i in course_ids), key=str.lower)


def _auto_renew_initial(company) -> dict:
    return {"auto_renew": bool(company.auto_renew), "auto_renew_courses": sorted(company.auto_renew_courses or ())}


@requires(permissions.MANAGE_COMPANIES)
def company_add(request):
    def save(data):
        return company_create(
            name=data["name"],
            billing=data["billing"],
            cnpj=data["cnpj"],
            language=data["language"] or None,
            company_id=data["token"],
            author=Author.from_user(request.user),
        )

    def already_created(error, _data):
        messages.info(request, _("This form was already sent; here is the company it created."))
        return HttpResponseRedirect(reverse("admin:company_detail", args=[error.item_id]))

    return submit_form(
        request,
        CompanyForm(request.POST or None),
        _page(_("Add a company"), _("Create company")),
        save=save,
        saved=lambda company: (
            _("Company %(name)s created.") % {"name": company.name},
            reverse("admin:company_detail", args=[company.id]),
        ),
        already_created=already_created,
        show_error=_show_error,
    )
