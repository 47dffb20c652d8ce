"""The "Outbox" section (development only): the emails kept by the outbox backend, newest first, and each one."""

from django.contrib import messages
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .. import permissions
from ..exceptions import InvalidCursor
from ..views.common import email_html_part, render_page, requires
from . import selectors
from .files import outbox_dir


def _message_or_404(name: str) -> selectors.OutboxMessage:
    try:
        return selectors.outbox_message(name)
    except selectors.MessageNotFound:
        raise Http404(_("There is no email of that name in the outbox.")) from None


@requires(permissions.VIEW)
def outbox_list(request):
    """List the emails kept in the outbox, newest first, a page at a time."""
    page_size = selectors.OUTBOX_PAGE_SIZE
    try:
        page = selectors.outbox_page(cursor=request.GET.get("cursor"), page_size=page_size)
    except InvalidCursor as error:
        messages.warning(request, error.message)
        page = selectors.outbox_page(page_size=page_size)
    context = {
        "title": _("Outbox"),
        "page": page,
        "outbox_dir": outbox_dir(),
        "next_url": "?" + urlencode({"cursor": page.next_cursor}) if page.next_cursor else None,
        "first_url": reverse("admin:outbox_list") if request.GET.get("cursor") else None,
    }
    return render_page(request, "admin/backoffice/outbox_list.html", context)


@requires(permissions.VIEW)
def outbox_message(request, name: str):
    """Show one kept email: its headers, its text part, and its HTML part in a sandboxed frame."""
    message = _message_or_404(name)
    context = {
        "title": (message.subject or _("(no subject)")) if message.readable else _("Unreadable file"),
        "message": message,
        "html_url": reverse("admin:outbox_message_html", args=[name]) if message.html is not None else "",
    }
    return render_page(request, "admin/backoffice/outbox_message.html", context)


@requires(permissions.VIEW)
@email_html_part
def outbox_message_html(request, name: str):
    """Return the HTML part of a kept email, for the frame of its page."""
    message = _message_or_404(name)
    if message.html is None:
        raise Http404
    return message.html
