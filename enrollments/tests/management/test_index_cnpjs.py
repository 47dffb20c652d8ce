"""index_cnpjs: the CNPJ holder items of companies written before one company per CNPJ, duplicates reported."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.utils import translation

from enrollments import clock, selectors
from enrollments.dynamo import keys
from enrollments.dynamo.models import CnpjHolderItem
from enrollments.exceptions import CnpjTaken
from enrollments.services import company_create
from enrollments.tests.factories import make_cnpj
from enrollments.validators import normalize_cnpj

# Tables of its own: the command reads every company, and the counts below are exact.
pytestmark = pytest.mark.usefixtures("own_tables")


def _legacy_company(name: str, cnpj: str, *, day: int):
    """Create a company as written before the holder items: with its CNPJ and no holder item."""
    with clock.frozen(datetime(2026, 1, day, tzinfo=UTC)):
        company = company_create(name=name, billing="prepaid", cnpj=cnpj)
    CnpjHolderItem(*keys.cnpj_holder(normalize_cnpj(cnpj))).delete()
    return company


def _run(language: str = "en") -> list[str]:
    out = io.StringIO()
    with translation.override(language):
        call_command("index_cnpjs", stdout=out)
    return out.getvalue().splitlines()


def test_index_cnpjs__old_companies__oldest_holds_its_cnpj_duplicate_reported_unchanged_second_run_same():
    shared, alone, held = make_cnpj(), make_cnpj(), make_cnpj()
    first = _legacy_company("Primeira", shared, day=1)
    later = _legacy_company("Duplicada antiga", shared, day=2)
    lonely = _legacy_company("Sozinha", alone, day=3)
    recent = company_create(name="Recente", billing="prepaid", cnpj=held)
    company_create(name="Sem CNPJ", billing="prepaid")

    lines = _run()

    assert lines == [
        "CNPJs indexed now: 2.",
        "CNPJs already indexed: 1.",
        f"The CNPJ {shared} of Duplicada antiga ({later.id}) already belongs to Primeira ({first.id}): "
        "left as it is, correct one of them.",
    ]
    holders = {cnpj: selectors.cnpj_holder_find(normalize_cnpj(cnpj)).company_id for cnpj in (shared, alone, held)}
    assert holders == {shared: first.id, alone: lonely.id, held: recent.id}
    assert selectors.company_get(later.id).cnpj == normalize_cnpj(shared)
    with pytest.raises(CnpjTaken):
        company_create(name="Outra", billing="prepaid", cnpj=alone)

    assert _run()[:2] == ["CNPJs indexed now: 0.", "CNPJs already indexed: 3."]


def test_index_cnpjs__pt_br__reports_in_portuguese():
    _legacy_company("Antiga", make_cnpj(), day=4)

    lines = _run("pt-br")

    assert lines[0].startswith("CNPJs indexados agora: ") and lines[1].startswith("CNPJs já indexados: ")
