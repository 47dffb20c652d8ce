import csv
import io

import pytest

from enrollments.csv_files import csv_lines, neutralize, unneutralize


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
