"""Back-office pages of the clients' API: a company's API keys created, shown once, revoked, and their box on the
company's page."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..services import Author
from ..views.catalog import FormPage, submit_form
from ..views.common import Panel, company_or_404, render_page, requires
from . import selectors, services
from .forms import ApiKeyForm

# Where the token of a key just created waits in the session for the one page that shows it.
_SESSION_TOKEN = "client_api_token:{}"


def _company_url(company_id: str) -> str:
    return reverse("admin:company_detail", args=[company_id]) + "#api-keys"


def _key_url(company_id: str, key_id: str) -> str:
    return reverse("admin:api_key_detail", args=[company_id, key_id])


def _key_or_404(company_id: str, key_id: str):
    key = selectors.company_api_key_find(company_id, key_id)
    if key is None:
        raise Http404(_("This API key does not exist."))
    return key


@requires(permissions.MANAGE_COMPANIES)
def api_key_add(request, company_id: str):
    """Create an API key of a company, then show its token once; a form sent twice creates one key."""
    company = company_or_404(company_id)

    def save(data):
        key, token = services.api_key_create(
            company_id=company.id, name=data["name"], author=Author.from_user(request.user), key_id=data["token"]
        )
        request.session[_SESSION_TOKEN.format(key.sk)] = token
        return key

    def already_created(error, _data):
        # The second submit never shows the secret: only the first answer's page could.
        request.session.pop(_SESSION_TOKEN.format(error.item_id), None)
        messages.info(request, _("This form was already sent; this is the key it created."))
        return HttpResponseRedirect(_key_url(company.id, error.item_id))

    return submit_form(
        request,
        ApiKeyForm(request.POST or None),
        FormPage(
            title=_("Create an API key for %(company)s") % {"company": company.name},
            submit=_("Create key"),
            section=_("Companies"),
            section_url="admin:company_list",
        ),
        save=save,
        saved=lambda key: (_("API key %(name)s created.") % {"name": key.name}, _key_url(company.id, key.sk)),
        already_created=already_created,
    )


@requires(permissions.MANAGE_COMPANIES)
def api_key_detail(request, company_id: str, key_id: str):
    """Show an API key; right after its creation, also its token, once (it is stored only as a hash)."""
    company = company_or_404(company_id)
    key = _key_or_404(company.id, key_id)
    token = request.session.pop(_SESSION_TOKEN.format(key.sk), None)
    return render_page(
        request,
        "admin/backoffice/api_key_detail.html",
        {"title": _("API key %(name)s") % {"name": key.name}, "company": company, "key": key, "token": token},
    )


@require_POST
@requires(permissions.MANAGE_COMPANIES)
def api_key_revoke(request, company_id: str, key_id: str):
    """Revoke an API key; a second click changes nothing."""
    company = company_or_404(company_id)
    key = _key_or_404(company.id, key_id)
    if services.api_key_revoke(company_id=company.id, key_id=key.sk, author=Author.from_user(request.user)):
        messages.success(request, _("API key %(name)s revoked: it works no more.") % {"name": key.name})
    else:
        messages.info(request, _("API key %(name)s was already revoked.") % {"name": key.name})
    return HttpResponseRedirect(_company_url(company.id))


def company_panel(request, *, company) -> Panel:
    """The company page's "API keys" box, for those who manage companies."""
    if not request.user.has_perm(permissions.MANAGE_COMPANIES):
        return None
    return Panel(
        template="admin/backoffice/includes/company_api_keys.html",
        context={"keys": selectors.api_key_list(company.id)},
    )
