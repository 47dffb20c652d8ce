"""The audit trail in the reader's words: stored details and skip reasons (written in English, with UTC times)
shown in the active language, with every time in ``TIME_ZONE``."""

import re

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import labels
from ..clock import from_iso

register = template.Library()

_ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z"
_ANY_ISO = re.compile(_ISO)


def _time(iso: str) -> str:
    return formats.date_format(timezone.localtime(from_iso(iso)), "SHORT_DATETIME_FORMAT")


def _date(iso: str) -> str:
    return formats.date_format(timezone.localtime(from_iso(iso)), "SHORT_DATE_FORMAT")


def _event(code: str) -> str:
    return str(labels.label(labels.EVENTS, code))


# What services store as an event's detail, and how to say it (``services/progress.py``, ``services/delivery.py``).
_DETAILS = [
    (
        re.compile(rf"occurred at ({_ISO}), certificate expires at ({_ISO})"),
        lambda m: (
            _("occurred at %(time)s; certificate valid through %(date)s") % {"time": _time(m[1]), "date": _date(m[2])}
        ),
    ),
    (re.compile(rf"occurred at ({_ISO})"), lambda m: _("occurred at %(time)s") % {"time": _time(m[1])}),
    (re.compile(r"renews (\S+)"), lambda m: _("renews enrollment %(id)s") % {"id": m[1]}),
    (re.compile(r"renewed by (\S+)"), lambda m: _("renewed by enrollment %(id)s") % {"id": m[1]}),
    (
        re.compile(rf"(\w+) due again at ({_ISO})"),
        lambda m: _("%(event)s, due again at %(time)s") % {"event": _event(m[1]), "time": _time(m[2])},
    ),
    (re.compile(r"(\w+) email (\S+)"), lambda m: _("%(event)s, email %(id)s") % {"event": _event(m[1]), "id": m[2]}),
    (
        re.compile(rf"(\w+) attempt (\d+), next at ({_ISO})"),
        lambda m: (
            _("%(event)s, attempt %(attempt)s, next at %(time)s")
            % {"event": _event(m[1]), "attempt": m[2], "time": _time(m[3])}
        ),
    ),
    (
        re.compile(r"(\w+) after (\d+) attempts"),
        lambda m: (
            ngettext("%(event)s, after %(attempts)s attempt", "%(event)s, after %(attempts)s attempts", int(m[2]))
            % {"event": _event(m[1]), "attempts": m[2]}
        ),
    ),
    (re.compile(r"(\w+)"), lambda m: _event(m[1])),
]

_REASONS = [
    (re.compile(r"the enrollment was canceled"), lambda m: _("the enrollment was canceled")),
    (re.compile(r"the learner has accessed the course"), lambda m: _("the learner has accessed the course")),
    (
        re.compile(r"the learner was active in the last 7 days"),
        lambda m: _("the learner was active in the last 7 days"),
    ),
    (re.compile(r"the enrollment no longer exists"), lambda m: _("the enrollment no longer exists")),
    (
        re.compile(r"the company does not renew automatically"),
        lambda m: _("the company does not renew certificates automatically"),
    ),
    (
        re.compile(r"the company does not renew this course automatically"),
        lambda m: _("the company does not renew this course automatically"),
    ),
    (re.compile(r"the course is retired"), lambda m: _("the course is retired")),
    (re.compile(r"not renewed: (\w+)"), lambda m: _not_renewed(m[1])),
    (
        re.compile(r"the enrollment is (\w+)"),
        lambda m: _("the enrollment is %(status)s") % {"status": labels.label(labels.STATUSES, m[1]).lower()},
    ),
]


def _not_renewed(code: str) -> str:
    if code in labels.RENEWAL_REFUSALS:
        return _("not renewed: %(why)s") % {"why": labels.RENEWAL_REFUSALS[code]}
    return _("not renewed: %(why)s") % {"why": code}


def _say(text: str | None, patterns) -> str:
    if not text:
        return ""
    for pattern, words in patterns:
        if match := pattern.fullmatch(text):
            return words(match)
    # Anything else (an error message, a staff member's reason) as written, its times made local.
    return _ANY_ISO.sub(lambda m: _time(m[0]), text)


@register.filter
def audit_detail(text: str | None) -> str:
    """Return an audit event's stored detail in the active language, times local."""
    return _say(text, _DETAILS)


@register.filter
def audit_reason(text: str | None) -> str:
    """Return an audit event's reason in the active language when the scheduler wrote it; a person's as written."""
    return _say(text, _REASONS)
