"""A company's HR contacts: added, edited and removed by staff, each change audited in the company's history.

Each change is one transaction with its audit event. Adding takes the form's token as the contact's id (a form
sent twice adds one contact); an edit is written only over the revision its form read; removing twice removes once.
An add or an edit checks the company's other contacts (one email each, at most ``MAX_CONTACTS``) and puts the
roster's revision one up over the one read before that check (``_roster_put``): two changes checked against the
same contacts cannot both be written, the second checks again.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import clock
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import HrContactItem, HrContactRosterItem
from ..dynamo.transactions import Transaction, TransactionFailed, attempts
from ..exceptions import AlreadyCreated, ConcurrentChange, InvalidEnrollmentData
from ..selectors import company_get
from ..services.catalog import commit_item_change, company_history_event
from ..services.common import Author, short_text
from ..validators import normalize_email
from . import selectors

CONTACT_ADDED = "CONTACT_ADDED"
CONTACT_UPDATED = "CONTACT_UPDATED"
CONTACT_REMOVED = "CONTACT_REMOVED"
# More contacts than this is a mailing list, not a company's HR.
MAX_CONTACTS = 50
MAX_NAME_CHARS = 200
# An add that meets another transaction on the same items reads again, this many times.
_CREATE_TRIES = 5


def contact_display(name: str, email: str) -> str:
    """Return how the company's history names a contact: ``Ana Souza <ana@example.com>``."""
    return f"{name} <{email}>"


def _checked(*, company_id: str, contact_id: str | None, name: str, email: str, language: str | None) -> dict:
    name = short_text(
        name,
        max_chars=MAX_NAME_CHARS,
        field="name",
        message=lambda n: ngettext(
            "The contact needs a name of at most %(max)s character.",
            "The contact needs a name of at most %(max)s characters.",
            n,
        ),
    )
    try:
        email = normalize_email(email)
    except ValidationError as error:
        raise InvalidEnrollmentData(error.messages[0], field="email") from None
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidEnrollmentData(
            _("The language must be one of %(choices)s, not %(value)s.")
            % {"choices": ", ".join(code for code, _name in settings.LANGUAGES), "value": language},
            field="language",
        )
    others = [contact for contact in selectors.contact_list(company_id) if contact.sk != contact_id]
    if any(contact.email == email for contact in others):
        raise InvalidEnrollmentData(
            _("%(email)s is already an HR contact of this company.") % {"email": email}, field="email"
        )
    if contact_id is None and len(others) >= MAX_CONTACTS:
        raise InvalidEnrollmentData(
            ngettext(
                "A company has at most %(max)s HR contact: remove it first.",
                "A company has at most %(max)s HR contacts: remove one first.",
                MAX_CONTACTS,
            )
            % {"max": number_format(MAX_CONTACTS, force_grouping=True)}
        )
    return {"name": name, "email": email, "language": language or None}


@storage_errors_as_domain_errors
def contact_add(
    *,
    company_id: str,
    name: str,
    email: str,
    language: str | None,
    receives_digest: bool,
    author: Author,
    contact_id: str | None = None,
) -> HrContactItem:
    """Add an HR contact to a company; ``language`` ``None`` means the company's.

    A ``contact_id`` that exists raises ``AlreadyCreated`` (the same form sent twice adds one contact).
    """
    company_get(company_id)
    contact_id = contact_id or str(uuid.uuid4())
    for _attempt in attempts(_CREATE_TRIES):
        if selectors.contact_find(company_id, contact_id) is not None:
            raise AlreadyCreated(_("This contact was already added."), item_id=contact_id)
        roster = selectors.contact_roster_revision(company_id)
        try:
            values = _checked(company_id=company_id, contact_id=None, name=name, email=email, language=language)
        except InvalidEnrollmentData:
            # The same form sent twice at once: the first one's contact, added since the read above, holds its email.
            if selectors.contact_find(company_id, contact_id) is not None:
                raise AlreadyCreated(_("This contact was already added."), item_id=contact_id) from None
            raise
        now = clock.now_iso()
        contact = HrContactItem(
            *keys.hr_contact(company_id, contact_id),
            created_at=now,
            company_id=company_id,
            receives_digest=bool(receives_digest),
            **values,
        )
        event = company_history_event(
            company_id,
            at=now,
            action=CONTACT_ADDED,
            author=author,
            changes=[
                ("contact", None, contact_display(contact.name, contact.email)),
                ("contact_language", None, contact.language),
                ("receives_digest", None, contact.receives_digest),
            ],
        )
        tx = Transaction()
        tx.put(contact, condition=HrContactItem.sk.does_not_exist(), name="item")
        _roster_put(tx, company_id, roster)
        tx.put(event, name="audit")
        try:
            tx.commit()
            return contact
        except TransactionFailed as failure:
            # The same form sent twice at once: one of the two transactions wins, the other meets it.
            if "item" in failure.failed or selectors.contact_find(company_id, contact_id) is not None:
                raise AlreadyCreated(_("This contact was already added."), item_id=contact_id) from None
            # Another add or edit of the company's contacts was written since the check: check again.
    raise ConcurrentChange()


def _roster_put(tx: Transaction, company_id: str, revision: int) -> None:
    """Put the company's roster one revision up, if it is still at ``revision`` (read before the check)."""
    condition = HrContactRosterItem.revision == revision if revision else HrContactRosterItem.sk.does_not_exist()
    roster = HrContactRosterItem(*keys.hr_contact_roster(company_id), created_at=clock.now_iso(), revision=revision + 1)
    tx.put(roster, condition=condition, name="roster")


def _contact_or_refusal(company_id: str, contact_id: str) -> HrContactItem:
    contact = selectors.contact_find(company_id, contact_id)
    if contact is None:
        raise InvalidEnrollmentData(_("This HR contact was removed meanwhile."), field="contact_id")
    return contact


def _changed_meanwhile() -> ConcurrentChange:
    return ConcurrentChange(_("Someone changed it meanwhile: reload the page to see their change, then edit again."))


@storage_errors_as_domain_errors
def contact_update(
    *,
    company_id: str,
    contact_id: str,
    name: str,
    email: str,
    language: str | None,
    receives_digest: bool,
    revision: int,
    author: Author,
) -> HrContactItem:
    """Change an HR contact, if nobody changed it since it was read at ``revision``; nothing changed, nothing
    written. The audit event names the contact and each change."""
    for _attempt in attempts(_CREATE_TRIES):
        contact = _contact_or_refusal(company_id, contact_id)
        if int(contact.revision or 0) != revision:
            raise _changed_meanwhile()
        roster = selectors.contact_roster_revision(company_id)
        values = _checked(company_id=company_id, contact_id=contact_id, name=name, email=email, language=language)
        values["receives_digest"] = bool(receives_digest)
        if all(getattr(contact, field) == value for field, value in values.items()):
            return contact
        before, after = contact_display(contact.name, contact.email), contact_display(values["name"], values["email"])
        changes = [("contact", before, after)]
        if contact.language != values["language"]:
            changes.append(("contact_language", contact.language, values["language"]))
        if contact.receives_digest != values["receives_digest"]:
            changes.append(("receives_digest", contact.receives_digest, values["receives_digest"]))
        now = clock.now_iso()
        actions = [
            getattr(HrContactItem, field).set(value) if value is not None else getattr(HrContactItem, field).remove()
            for field, value in values.items()
        ]
        actions += [HrContactItem.revision.set(revision + 1), HrContactItem.updated_at.set(now)]
        exists = HrContactItem.sk.exists()
        tx = Transaction()
        tx.update(
            contact,
            actions,
            condition=exists
            & (HrContactItem.revision == revision if revision else HrContactItem.revision.does_not_exist()),
            name="item",
        )
        _roster_put(tx, company_id, roster)
        tx.put(company_history_event(company_id, at=now, action=CONTACT_UPDATED, author=author, changes=changes))
        try:
            tx.commit()
        except TransactionFailed as failure:
            if "item" in failure.failed:
                raise _changed_meanwhile() from None
            # Another add or edit of the company's contacts was written since the check: check again.
            continue
        return selectors.contact_find(company_id, contact_id)
    raise _changed_meanwhile()


@storage_errors_as_domain_errors
def contact_remove(*, company_id: str, contact_id: str, author: Author) -> bool:
    """Remove an HR contact; return ``False`` when it was removed already (a second click), which writes nothing."""
    contact = selectors.contact_find(company_id, contact_id)
    if contact is None:
        return False
    now = clock.now_iso()
    tx = Transaction()
    tx.delete(contact, condition=HrContactItem.sk.exists(), name="item")
    tx.put(
        company_history_event(
            company_id,
            at=now,
            action=CONTACT_REMOVED,
            author=author,
            changes=[("contact", contact_display(contact.name, contact.email), None)],
        )
    )
    return commit_item_change(tx)
