"""A company's HR contacts: added once, edited over the revision read, removed once, each change in its history."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from enrollments.digests import selectors
from enrollments.digests.contacts import contact_add, contact_remove, contact_update
from enrollments.exceptions import AlreadyCreated, ConcurrentChange, InvalidEnrollmentData
from enrollments.selectors import company_history
from enrollments.tests.factories import STAFF, make_company

TOKEN = "5f0c4a8e-2b3d-4e6f-8a9b-1c2d3e4f5a6b"


def _add(company, **overrides):
    values = {"name": "Ana Souza", "email": "Ana.Souza@Client.example.com", "language": "pt-br"}
    values.update(overrides)
    return contact_add(company_id=company.id, receives_digest=True, author=STAFF, **values)


def test_contact_add__form_sent_twice__one_contact_and_one_event_naming_it():
    company = make_company()

    contact = _add(company, contact_id=TOKEN)
    with pytest.raises(AlreadyCreated):
        _add(company, contact_id=TOKEN)

    assert [c.sk for c in selectors.contact_list(company.id)] == [TOKEN]
    assert contact.email == "ana.souza@client.example.com"
    [event] = [event for event in company_history(company.id) if event.action == "CONTACT_ADDED"]
    assert event.changes == [
        ["contact", None, "Ana Souza <ana.souza@client.example.com>"],
        ["contact_language", None, "pt-br"],
        ["receives_digest", None, True],
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"email": "not an email"}, "email"), ({"name": "  "}, "name"), ({"language": "fr"}, "language")],
)
def test_contact_add__bad_value__refused_on_its_field_nothing_written(overrides, field):
    company = make_company()

    with pytest.raises(InvalidEnrollmentData) as refused:
        _add(company, **overrides)

    assert refused.value.field == field
    assert selectors.contact_list(company.id) == []


def test_contact_add__email_of_another_contact__refused():
    company = make_company()
    _add(company)

    with pytest.raises(InvalidEnrollmentData, match="already an HR contact of this company"):
        _add(company, name="Another", email="ana.souza@client.example.com")


def _both_read_before_either_writes(monkeypatch):
    """Make the first check of each of two threads read the contacts before either thread writes."""
    barrier, read = threading.Barrier(2, timeout=10), selectors.contact_list
    waiting, lock = [], threading.Lock()

    def contact_list(company_id):
        contacts = read(company_id)
        with lock:
            first = threading.get_ident() not in waiting and len(waiting) < 2
            if first:
                waiting.append(threading.get_ident())
        if first:
            barrier.wait()
        return contacts

    monkeypatch.setattr(selectors, "contact_list", contact_list)


def _outcomes(calls) -> list:
    def run(call):
        try:
            return call()
        except InvalidEnrollmentData as refused:
            return refused

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_contact_add__two_forms_with_one_email_at_once__one_contact_the_other_refused(monkeypatch):
    company = make_company()
    _both_read_before_either_writes(monkeypatch)

    outcomes = _outcomes([lambda: _add(company, name="Ana"), lambda: _add(company, name="Ana S.")])

    assert len(selectors.contact_list(company.id)) == 1
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, InvalidEnrollmentData)]
    assert refused.field == "email" and "already an HR contact" in str(refused)
    assert [event.action for event in company_history(company.id)].count("CONTACT_ADDED") == 1


def test_contact_add__two_adds_at_once_for_the_last_place__one_added(monkeypatch):
    company = make_company()
    monkeypatch.setattr("enrollments.digests.contacts.MAX_CONTACTS", 2)
    _add(company, email="first@client.example.com")
    _both_read_before_either_writes(monkeypatch)

    outcomes = _outcomes(
        [
            lambda: _add(company, email="second@client.example.com"),
            lambda: _add(company, email="third@client.example.com"),
        ]
    )

    assert len(selectors.contact_list(company.id)) == 2
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, InvalidEnrollmentData)]
    assert "at most 2 HR contacts" in str(refused)


def test_contact_update__to_the_email_another_add_takes_at_once__one_holds_it(monkeypatch):
    company = make_company()
    bruno = _add(company, name="Bruno", email="bruno@client.example.com")
    _both_read_before_either_writes(monkeypatch)

    def update():
        return contact_update(
            company_id=company.id,
            contact_id=bruno.sk,
            name="Bruno",
            email="rh@client.example.com",
            language=None,
            receives_digest=True,
            revision=0,
            author=STAFF,
        )

    outcomes = _outcomes([update, lambda: _add(company, name="RH", email="rh@client.example.com")])

    emails = sorted(contact.email for contact in selectors.contact_list(company.id))
    assert emails.count("rh@client.example.com") == 1 and len(emails) in (1, 2)
    assert sum(isinstance(outcome, InvalidEnrollmentData) for outcome in outcomes) == 1


def test_contact_update__changes__written_with_an_event_old_to_new_nothing_changed_writes_nothing():
    company = make_company()
    contact = _add(company)

    updated = contact_update(
        company_id=company.id,
        contact_id=contact.sk,
        name="Ana Souza",
        email="ana@client.example.com",
        language=None,
        receives_digest=False,
        revision=0,
        author=STAFF,
    )
    again = contact_update(
        company_id=company.id,
        contact_id=contact.sk,
        name="Ana Souza",
        email="ana@client.example.com",
        language=None,
        receives_digest=False,
        revision=1,
        author=STAFF,
    )

    assert (updated.email, updated.language, updated.receives_digest, updated.revision) == (
        "ana@client.example.com",
        None,
        False,
        1,
    )
    assert again.revision == 1
    [event] = [event for event in company_history(company.id) if event.action == "CONTACT_UPDATED"]
    assert event.changes == [
        ["contact", "Ana Souza <ana.souza@client.example.com>", "Ana Souza <ana@client.example.com>"],
        ["contact_language", "pt-br", None],
        ["receives_digest", True, False],
    ]


def test_contact_update__stale_revision__refused_their_change_kept():
    company = make_company()
    contact = _add(company)
    contact_update(
        company_id=company.id,
        contact_id=contact.sk,
        name="Theirs",
        email=contact.email,
        language="en",
        receives_digest=True,
        revision=0,
        author=STAFF,
    )

    with pytest.raises(ConcurrentChange, match="changed it meanwhile"):
        contact_update(
            company_id=company.id,
            contact_id=contact.sk,
            name="Mine",
            email=contact.email,
            language="en",
            receives_digest=True,
            revision=0,
            author=STAFF,
        )
    assert selectors.contact_find(company.id, contact.sk).name == "Theirs"


def test_contact_remove__twice__removed_once_with_one_event():
    company = make_company()
    contact = _add(company)

    assert contact_remove(company_id=company.id, contact_id=contact.sk, author=STAFF) is True
    assert contact_remove(company_id=company.id, contact_id=contact.sk, author=STAFF) is False

    assert selectors.contact_list(company.id) == []
    [event] = [event for event in company_history(company.id) if event.action == "CONTACT_REMOVED"]
    assert event.changes == [["contact", "Ana Souza <ana.souza@client.example.com>", None]]
