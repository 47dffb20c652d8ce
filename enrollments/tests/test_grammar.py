"""The pt-BR catalog keeps the writing rules of docs/glossary.md: 0 is plural, every count in a sentence has plural
forms, no nested parentheses, and each context says its noun's gender."""

import gettext
import re

import pytest
from django.utils import translation
from django.utils.translation import ngettext, pgettext

from enrollments import labels
from enrollments.tests.catalog_support import catalog_entries

# Placeholders that hold a number of things: a sentence with one needs a plural entry ("1 vaga", "0 vagas").
COUNT_NAMES = {
    "count",
    "counter",
    "days",
    "hours",
    "minutes",
    "seconds",
    "years",
    "rows",
    "seats",
    "attempts",
    "short",
    "left",
    "needed",
    "total",
    "done",
    "invalid",
    "duplicates",
    "already",
    "active",
    "enrolled",
    "failed",
    "no_seat",
    "to_enroll",
    "max",
    "limit",
    "period",
}
# Single entries whose count placeholder agrees with no word, each with the reason.
NOT_A_COUNT = {
    # The upper bound of a range, after its noun: "um número inteiro de dias, de 1 a 3650".
    "%(field)s must be a whole number of days, from 1 to %(max)s.",
    "The renewal window must be a whole number of days, from 1 to %(max)s.",
    # Sizes with their unit: "o limite é 20,0 MB".
    "The file is %(size)s; the limit is %(limit)s. Split it into smaller files.",
    "The workbook unpacks to %(size)s, more than the %(limit)s an import reads. Keep only the sheet to import, or "
    "save it as CSV UTF-8 and upload that.",
    "The file passes %(limit)s, the limit. Split it into smaller files.",
}
_PLACEHOLDER = re.compile(r"(?P<before>.{0,2})%\((?P<name>\w+)\)[sd]")


def _plural_function():
    [header] = [entry for entry in catalog_entries() if entry["msgid"] == ""]
    [forms] = re.findall(r"^Plural-Forms: nplurals=(\d+); plural=(.+);$", header["msgstr"][0], re.MULTILINE)
    return int(forms[0]), gettext.c2py(forms[1])


def _nested_parentheses(text: str) -> bool:
    depth = 0
    for char in re.sub(r"%\(\w+\)[sd]", "", text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth > 1:
            return True
    return False


def test_catalog__plural_forms__zero_is_plural_as_brazilians_say_it():
    count, plural = _plural_function()

    assert count == 2
    assert [plural(n) for n in (0, 1, 2, 5, 1_000)] == [1, 0, 1, 1, 1]


@pytest.mark.parametrize(
    ("count", "words"), [(0, "0 vagas restantes"), (1, "1 vaga restante"), (2, "2 vagas restantes")]
)
def test_ngettext__pt_br__zero_takes_the_plural_at_run_time(count, words):
    with translation.override("pt-br"):
        text = ngettext("%(course)s — %(count)s seat left", "%(course)s — %(count)s seats left", count) % {
            "course": "NR-35",
            "count": count,
        }

    assert text == f"NR-35 — {words}"


def test_catalog__count_in_a_sentence__every_one_has_plural_forms():
    single = [entry for entry in catalog_entries() if entry["msgid"] and not entry["msgid_plural"]]

    counts_without_plural = [
        entry["msgid"]
        for entry in single
        if entry["msgid"] not in NOT_A_COUNT
        # "Label: %(count)s" is a label beside its number, not a sentence: "CNPJs já indexados: 1".
        and any(m["name"] in COUNT_NAMES and m["before"] != ": " for m in _PLACEHOLDER.finditer(entry["msgid"]))
    ]

    assert counts_without_plural == []


def test_catalog__plural_entries__both_forms_translated_with_their_placeholders():
    for entry in catalog_entries():
        if entry["msgid_plural"]:
            singular, plural = entry["msgstr"]
            names = set(re.findall(r"%\((\w+)\)", entry["msgid_plural"]))
            assert singular and plural, entry["msgid"]
            assert set(re.findall(r"%\((\w+)\)", plural)) == names, entry["msgid"]


def test_catalog__portuguese__no_parentheses_inside_parentheses():
    nested = [text for entry in catalog_entries() for text in entry["msgstr"] if _nested_parentheses(text)]

    assert nested == []


def test_catalog__not_a_count_list__names_entries_that_exist():
    assert NOT_A_COUNT <= {entry["msgid"] for entry in catalog_entries()}


@pytest.mark.parametrize(
    ("context", "english", "portuguese"),
    [
        ("of an import", "Created at", "Criada em"),
        ("of an import", "Finished at", "Finalizada em"),
        ("of an export", "Created at", "Criada em"),
        ("of an export", "Finished at", "Finalizada em"),
        ("of a bulk cancel", "Created at", "Criado em"),
        ("of a bulk cancel", "Finished at", "Finalizado em"),
        ("of a company", "Created at", "Criada em"),
        ("of a course", "Created at", "Criado em"),
        ("of an order", "Created at", "Criado em"),
        ("count of enrollments", "Canceled", "Canceladas"),
        ("count of enrollments", "Refused", "Recusadas"),
        ("result of an enrollment", "Canceled", "Cancelada"),
        ("result of an enrollment", "Refused", "Recusada"),
        ("result of a row", "Enrolled", "Matriculada"),
        ("count of rows", "Enrolled", "Matriculadas"),
        ("result of a row", "Already active in the course", "Já ativa no curso"),
        ("count of rows", "Already active in the course", "Já ativas no curso"),
        ("audit action", "Enrolled", "Matrícula realizada"),
        ("audit action", "Canceled", "Matrícula cancelada"),
        ("of a certificate", "Expired", "Expirado"),
    ],
)
def test_pgettext__pt_br__each_context_agrees_with_its_noun(context, english, portuguese):
    with translation.override("pt-br"):
        assert pgettext(context, english) == portuguese
    with translation.override("en"):
        assert pgettext(context, english) == english


@pytest.mark.parametrize(
    ("counts", "portuguese", "english"),
    [
        (
            {"invalid": 1, "duplicates": 1, "already_enrolled": 0, "already_active": 1},
            "1 inválida, 1 duplicada no arquivo, 0 já matriculadas, 1 já ativa no curso",
            "1 invalid, 1 duplicate in the file, 0 already enrolled, 1 already active in the course",
        ),
        (
            {"rows": 1_500, "seats_to_use": 1, "seats_short": 2},
            "1.500 linhas, 1 vaga a utilizar, faltam 2 vagas",
            "1,500 rows, 1 seat to use, 2 seats short",
        ),
        ({"seats_short": 1, "failed": 0}, "falta 1 vaga, 0 com outros erros", "1 seat short, 0 with other errors"),
    ],
)
def test_counts_text__each_count_with_words_that_agree_and_its_number_grouped(counts, portuguese, english):
    with translation.override("pt-br"):
        assert labels.counts_text(labels.ROW_COUNTS, counts) == portuguese
    with translation.override("en"):
        assert labels.counts_text(labels.ROW_COUNTS, counts) == english


def test_status_labels__pt_br__enrollment_feminine_certificate_headers_masculine():
    with translation.override("pt-br"):
        statuses = [str(labels.STATUSES[code]) for code in ("COMPLETED", "EXPIRED", "ARCHIVED", "CANCELED")]
        headers = [str(labels.BUCKETS_SHORT[bucket]) for bucket in ("valid", "expired", "not_started")]

    assert statuses == ["Concluída", "Expirada", "Arquivada", "Cancelada"]
    assert headers == ["Válido", "Expirado", "Não iniciado"]
