"""The back office's filters that name where things came from and pick a row's read item."""

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
