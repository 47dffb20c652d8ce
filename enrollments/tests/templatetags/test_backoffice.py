"""The back office's filters: where things came from, a row's read item, and a CPF, a CNPJ, a date or a time on
one line with nothing for no value."""

import pytest
from django.template import Context, Template
from django.utils import translation

from enrollments import labels
from enrollments.views.enrollments import SourceLink


def _render(text: str, **context) -> str:
    return Template("{% load backoffice %}" + text).render(Context(context))


def test_source_link__a_job_s_source_with_a_page__a_link_with_the_name_escaped():
    links = {"csv:j1": SourceLink(text="Import of <b>equipe</b>.csv", url="/admin/backoffice/imports/j1/")}

    html = _render("{{ source|source_link:links }}", source="csv:j1", links=links)

    assert (
        html
        == '<a href="/admin/backoffice/imports/j1/" class="source-link">Import of &lt;b&gt;equipe&lt;/b&gt;.csv</a>'
    )


def test_source_link__a_job_s_source_without_a_page__its_name_alone():
    links = {"csv:x": SourceLink(text="Import", url=None)}

    assert _render("{{ source|source_link:links }}", source="csv:x", links=links) == "Import"


def test_source_link__any_other_source__in_the_reader_s_words():
    with translation.override("pt-br"):
        shown = _render("{{ source|source_link:links }}", source="form", links={})
        assert shown == str(labels.SOURCES["form"]) and shown not in ("form", "Back-office form")
    assert _render("{{ source|source_link }}", source="scheduler") == "Scheduler"


def test_by_key__the_item_of_a_row_or_none():
    assert _render("{{ found|by_key:'a' }}|{{ found|by_key:'b' }}", found={"a": "Ana"}) == "Ana|None"


@pytest.mark.parametrize(
    ("language", "shown"),
    [("pt-br", "02/03/2026 09:00"), ("en", "03/02/2026 9 a.m.")],
)
def test_local_datetime__stored_utc__local_time_in_a_nowrap_span(settings, language, shown):
    settings.TIME_ZONE = "America/Sao_Paulo"

    with translation.override(language):
        html = _render("{{ at|local_datetime }}", at="2026-03-02T12:00:00.000000Z")

    assert html == f'<span class="nowrap">{shown}</span>'


def test_cpf_and_cnpj__stored_digits__punctuated_in_a_nowrap_span():
    html = _render("{{ cpf|cpf }} {{ cnpj|cnpj }}", cpf="15199350480", cnpj="11222333000181")

    assert html == '<span class="nowrap">151.993.504-80</span> <span class="nowrap">11.222.333/0001-81</span>'


def test_cpf__stored_text_not_eleven_digits__escaped_in_the_span():
    assert _render("{{ cpf|cpf }}", cpf="<b>1</b>") == '<span class="nowrap">&lt;b&gt;1&lt;/b&gt;</span>'


@pytest.mark.parametrize("value", [None, ""])
def test_filters__no_value__nothing_so_default_applies(value):
    html = _render(
        "{{ v|local_datetime|default:'—' }} {{ v|local_date|default:'—' }} {{ v|cpf|default:'—' }} "
        "{{ v|cnpj|default:'—' }}",
        v=value,
    )

    assert html == "— — — —"
