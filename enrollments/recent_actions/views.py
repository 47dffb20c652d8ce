"""The admin home's "Recent actions": the staff member's own back-office actions, or everyone's, in words.

``recent_actions_context`` is registered on the admin site (``enrollments/admin.py``) and gives
the index page what its sidebar shows; ``?recent=all`` picks everyone's.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import labels, permissions
from ..exceptions import StorageUnavailable
from . import selectors

EVERYONE = "all"


@dataclass(frozen=True)
class Line:
    """One action as the sidebar says it: what happened, on what (linking to its page), when and by whom."""

    action: str
    subject: str
    url: str
    at: str
    author: str


@dataclass(frozen=True)
class RecentActionsPanel:
    everyone: bool
    lines: list[Line]
    # False when DynamoDB did not answer: the home page still opens, saying so.
    available: bool = True


def recent_actions_context(request) -> dict:
    """Return the admin index's ``recent_actions`` for ``request.user``: theirs, or everyone's with ``?recent=all``."""
    if not request.user.has_perm(permissions.VIEW):
        return {}
    everyone = request.GET.get("recent") == EVERYONE
    try:
        actions = selectors.recent_actions(author_id=None if everyone else str(request.user.pk))
    except StorageUnavailable:
        return {"recent_actions": RecentActionsPanel(everyone=everyone, lines=[], available=False)}
    return {"recent_actions": RecentActionsPanel(everyone=everyone, lines=[line(action) for action in actions])}


def line(action: selectors.RecentAction) -> Line:
    """Say one action in the active language."""
    item = action.item
    if action.kind == selectors.ENROLLMENT:
        words, subject = _enrollment_event(item, action.target)
        url = reverse("admin:enrollment_detail", args=[action.target_id])
    elif action.kind in (selectors.COMPANY, selectors.COURSE):
        words = str(labels.label(labels.CATALOG_ACTIONS, item.action))
        subject = action.target.name if action.target is not None else action.target_id
        url = reverse(f"admin:{action.kind}_detail", args=[action.target_id])
    elif action.kind == selectors.IMPORT:
        words = _("Import started")
        subject = ngettext(
            "%(file)s for %(company)s, %(count)s row",
            "%(file)s for %(company)s, %(count)s rows",
            item.rows_total or 0,
        ) % {"file": item.file_name, "company": item.tenant_name, "count": _number(item.rows_total)}
        url = reverse("admin:import_detail", args=[action.target_id])
    elif action.kind == selectors.RENEWAL:
        words = _("Renewal started")
        subject = ngettext("%(count)s person at %(company)s", "%(count)s people at %(company)s", item.total or 0) % {
            "count": _number(item.total),
            "company": item.tenant_name,
        }
        url = reverse("admin:renewal_detail", args=[action.target_id])
    else:
        words = _("Bulk cancel started")
        subject = ngettext(
            "%(count)s enrollment, reason: %(reason)s", "%(count)s enrollments, reason: %(reason)s", item.total or 0
        ) % {"count": _number(item.total), "reason": item.reason}
        url = reverse("admin:bulk_cancel_detail", args=[action.target_id])
    return Line(action=words, subject=subject, url=url, at=item.created_at, author=labels.author_name(item.author))


def _enrollment_event(item, enrollment) -> tuple[str, str]:
    words = str(labels.label(labels.ACTIONS, item.action))
    if item.action == "LIFECYCLE_RESENT" and item.detail:
        words = _("%(action)s: %(email)s") % {"action": words, "email": labels.label(labels.EVENTS, item.detail)}
    if enrollment is None:
        return words, _("Enrollment %(id)s") % {"id": item.id}
    return words, _("%(person)s in %(course)s (%(company)s)") % {
        "person": enrollment.user.name,
        "course": enrollment.course.name,
        "company": enrollment.tenant_name,
    }


def _number(value) -> str:
    return formats.number_format(int(value or 0), force_grouping=True)
