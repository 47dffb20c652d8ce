import csv
import io

import pytest
from django.utils import translation
from django.utils.translation import pgettext_lazy

from enrollments.csv_files import csv_lines, delimiter_for, localized_csv_lines, neutralize, unneutralize


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+55 11 9999", "'+55 11 9999"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
        ("\uff0b55", "'\uff0b55"),
        ("\uff0d2", "'\uff0d2"),
        ("\uff20x", "'\uff20x"),
        ("Ana", "Ana"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (7, "7"),
    ],
)
def test_neutralize__formula_starts__become_text(value, expected):
    assert neutralize(value) == expected


def test_unneutralize__undoes_neutralize_only():
    for value in ("=1+1", "-x", "@a", "plain", "'quoted", "\uff1d1"):
        assert unneutralize(neutralize(value)) == value


def test_csv_lines__every_cell_neutralized_and_a_bom_first():
    text = "".join(csv_lines(["=h", "b"], [["=cmd|' /C calc'!A0", "ok"], ["line\nbreak", "-1"]]))

    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [
        ["'=h", "b"],
        ["'=cmd|' /C calc'!A0", "ok"],
        ["line\nbreak", "'-1"],
    ]


def test_csv_lines__semicolon_delimiter__splits_on_it_and_quotes_cells_holding_one():
    text = "".join(csv_lines(["nome", "erro"], [["Ana; Bia", "=1"]], delimiter=";"))

    assert text == '\ufeffnome;erro\r\n"Ana; Bia";\'=1\r\n'
    assert list(csv.reader(io.StringIO(text[1:]), delimiter=";")) == [["nome", "erro"], ["Ana; Bia", "'=1"]]


@pytest.mark.parametrize("language, delimiter", [("pt-br", ";"), ("en", ","), ("en-us", ",")])
def test_delimiter_for__semicolon_where_the_decimal_separator_is_a_comma(language, delimiter):
    assert delimiter_for(language) == delimiter
    with translation.override(language):
        assert delimiter_for() == delimiter


@pytest.mark.parametrize("language, delimiter, other", [("pt-br", ";", "en"), ("en", ",", "pt-br")])
def test_localized_csv_lines__header_and_delimiter_of_the_language_active_when_called(language, delimiter, other):
    header = pgettext_lazy("CSV column", "line")
    with translation.override(language):
        words = str(header)
        lines = localized_csv_lines([header, "=x"], [["1", "2"]])
    # A streaming response is read after the view returns, under whatever language is active then.
    with translation.override(other):
        text = "".join(lines)

    assert text == f"\ufeff{words}{delimiter}'=x\r\n1{delimiter}2\r\n"
