"""One company per CNPJ: creating and editing companies claim their CNPJ's holder item; the backfill."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from enrollments import selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import CnpjHolderItem
from enrollments.exceptions import CnpjTaken, ConcurrentChange
from enrollments.services import company_create
from enrollments.services.catalog import company_update
from enrollments.tests.factories import STAFF, make_cnpj
from enrollments.validators import normalize_cnpj


def _edit(company, *, cnpj, revision=0):
    return company_update(
        company_id=company.id, name=company.name, cnpj=cnpj, language="pt-br", revision=revision, author=STAFF
    )


def _forget_holder(cnpj: str) -> None:
    """Make the company with ``cnpj`` look like one written before the holder items."""
    CnpjHolderItem(*keys.cnpj_holder(normalize_cnpj(cnpj))).delete()


def test_company_create__cnpj_of_another_company__refused_naming_it_nothing_written():
    cnpj = make_cnpj()
    acme = company_create(name="Acme", billing="prepaid", cnpj=cnpj)

    with pytest.raises(CnpjTaken) as raised:
        company_create(name="Acme Duplicada", billing="prepaid", cnpj=cnpj, author=STAFF)

    error = raised.value
    assert (error.code, error.field, error.holder_id, error.holder_name) == ("cnpj_taken", "cnpj", acme.id, "Acme")
    assert error.message == f"The CNPJ {cnpj} already belongs to the company Acme."
    assert not [company for company in selectors.company_list() if company.name == "Acme Duplicada"]


def test_company_create__the_same_cnpj_unpunctuated__refused():
    cnpj = make_cnpj()
    company_create(name="Acme", billing="prepaid", cnpj=cnpj)

    with pytest.raises(CnpjTaken):
        company_create(name="Acme Duplicada", billing="prepaid", cnpj=normalize_cnpj(cnpj))


def test_company_create__without_cnpj__many_companies_allowed():
    first = company_create(name="Sem CNPJ 1", billing="prepaid")
    second = company_create(name="Sem CNPJ 2", billing="prepaid", cnpj="")

    assert first.cnpj is None and second.cnpj is None and first.id != second.id


def test_company_create__holder_item__names_the_company():
    cnpj = make_cnpj()

    acme = company_create(name="Acme", billing="prepaid", cnpj=cnpj)

    assert selectors.cnpj_holder_find(normalize_cnpj(cnpj)).company_id == acme.id


def test_company_create__two_companies_with_one_cnpj_at_once__exactly_one_created():
    cnpj = make_cnpj()
    names = [f"Concorrente {n}" for n in range(4)]

    def create(name):
        try:
            return company_create(name=name, billing="prepaid", cnpj=cnpj)
        except (CnpjTaken, ConcurrentChange) as error:
            return error

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(create, names))

    created = [result for result in results if not isinstance(result, Exception)]
    assert len(created) == 1
    assert [c.id for c in selectors.company_list() if c.name in names] == [created[0].id]
    assert selectors.cnpj_holder_find(normalize_cnpj(cnpj)).company_id == created[0].id
    refused = [result for result in results if isinstance(result, CnpjTaken)]
    assert all(error.holder_id == created[0].id for error in refused)


def test_company_update__cnpj_of_another_company__refused_naming_it_nothing_written():
    cnpj = make_cnpj()
    acme = company_create(name="Acme", billing="prepaid", cnpj=cnpj)
    other = company_create(name="Outra", billing="prepaid")

    with pytest.raises(CnpjTaken) as raised:
        _edit(other, cnpj=cnpj)

    assert (raised.value.holder_id, raised.value.holder_name) == (acme.id, "Acme")
    assert selectors.company_get(other.id).cnpj is None and selectors.company_history(other.id) == []
    assert selectors.cnpj_holder_find(normalize_cnpj(cnpj)).company_id == acme.id


def test_company_update__to_a_free_cnpj__frees_the_old_one_for_another_company():
    old, new = make_cnpj(), make_cnpj()
    acme = company_create(name="Acme", billing="prepaid", cnpj=old)

    _edit(acme, cnpj=new)
    taker = company_create(name="Nova dona", billing="prepaid", cnpj=old)

    assert selectors.cnpj_holder_find(normalize_cnpj(new)).company_id == acme.id
    assert selectors.cnpj_holder_find(normalize_cnpj(old)).company_id == taker.id


def test_company_update__cnpj_removed__frees_it():
    cnpj = make_cnpj()
    acme = company_create(name="Acme", billing="prepaid", cnpj=cnpj)

    _edit(acme, cnpj="")

    assert selectors.cnpj_holder_find(normalize_cnpj(cnpj)) is None
    company_create(name="Nova dona", billing="prepaid", cnpj=cnpj)


def test_company_update__name_only__keeps_the_cnpj_held():
    cnpj = make_cnpj()
    acme = company_create(name="Acme", billing="prepaid", cnpj=cnpj)

    company_update(company_id=acme.id, name="Acme S.A.", cnpj=cnpj, language="pt-br", revision=0, author=STAFF)

    assert selectors.cnpj_holder_find(normalize_cnpj(cnpj)).company_id == acme.id
    with pytest.raises(CnpjTaken) as raised:
        company_create(name="Acme Duplicada", billing="prepaid", cnpj=cnpj)
    assert raised.value.holder_name == "Acme S.A."


def test_company_update__company_written_before_holder_items__edit_goes_through_and_claims_the_new_cnpj():
    old, new = make_cnpj(), make_cnpj()
    legacy = company_create(name="Antiga", billing="prepaid", cnpj=old)
    _forget_holder(old)

    _edit(legacy, cnpj=new)

    assert selectors.company_get(legacy.id).cnpj == normalize_cnpj(new)
    assert selectors.cnpj_holder_find(normalize_cnpj(new)).company_id == legacy.id
    assert selectors.cnpj_holder_find(normalize_cnpj(old)) is None


def test_company_update__old_duplicate_leaves_the_shared_cnpj__the_holder_keeps_it():
    cnpj = make_cnpj()
    holder = company_create(name="Dona", billing="prepaid", cnpj=cnpj)
    _forget_holder(cnpj)
    duplicate = company_create(name="Duplicada antiga", billing="prepaid", cnpj=cnpj)
    _forget_holder(cnpj)
    CnpjHolderItem(*keys.cnpj_holder(normalize_cnpj(cnpj)), company_id=holder.id).save()

    _edit(duplicate, cnpj=make_cnpj())

    assert selectors.cnpj_holder_find(normalize_cnpj(cnpj)).company_id == holder.id
