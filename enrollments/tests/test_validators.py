import pytest
from django.core.exceptions import ValidationError

from enrollments.validators import (
    format_cnpj,
    format_cpf,
    normalize_cnpj,
    normalize_cpf,
    normalize_email,
    normalize_esocial_code,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("529.982.247-25", "52998224725"),
        ("52998224725", "52998224725"),
        # Punctuation anywhere, as people type it (localflavor alone takes only 529.982.247-25 or bare digits).
        ("529982247-25", "52998224725"),
        (" 529 982 247 25 ", "52998224725"),
        ("", None),
        (None, None),
    ],
)
def test_normalize_cpf__valid__returns_digits(value, expected):
    assert normalize_cpf(value) == expected


@pytest.mark.parametrize("value", ["529.982.247-24", "111.111.111-11", "1234", "abc.def.ghi-jk"])
def test_normalize_cpf__invalid__raises(value):
    with pytest.raises(ValidationError):
        normalize_cpf(value)


@pytest.mark.parametrize(
    "value, message",
    [
        ("529.982.247-24", "529.982.247-24 is not a valid CPF (check digits do not match)."),
        ("000.000.000-00", "000.000.000-00 is not a valid CPF."),
        ("1234", "1234 is not a valid CPF."),
        # Digits of other scripts and superscripts are not a CPF (localflavor's own check raises ValueError on ²).
        ("\u0665\u0662\u0669\u0669\u0668\u0662\u0662\u0664\u0667\u0662\u0665", None),
        ("²" * 11, None),
        ("５２９９８２２４７２５", None),
    ],
)
def test_normalize_cpf__invalid__says_why_with_the_cpf_code(value, message):
    with pytest.raises(ValidationError) as raised:
        normalize_cpf(value)

    assert raised.value.code == "cpf"
    assert raised.value.messages == [message or f"{value} is not a valid CPF."]


def test_normalize_cnpj__checks_digits():
    assert normalize_cnpj("11.222.333/0001-81") == "11222333000181"
    with pytest.raises(ValidationError):
        normalize_cnpj("11.222.333/0001-82")


@pytest.mark.parametrize(
    "value, expected", [("11222333000181", "11222333000181"), ("11 222 333 0001 81", "11222333000181"), ("", None)]
)
def test_normalize_cnpj__with_or_without_punctuation__returns_digits(value, expected):
    assert normalize_cnpj(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("11.222.333/0001-82", "11.222.333/0001-82 is not a valid CNPJ (check digits do not match)."),
        # localflavor's check digits accept all zeros; the project does not.
        ("00.000.000/0000-00", "00.000.000/0000-00 is not a valid CNPJ."),
        # Stored as 14 digits: the alphanumeric CNPJs localflavor 5.1 accepts are not taken yet.
        ("12.ABC.345/01DE-35", "12.ABC.345/01DE-35 is not a valid CNPJ."),
    ],
)
def test_normalize_cnpj__invalid__says_why_with_the_cnpj_code(value, message):
    with pytest.raises(ValidationError) as raised:
        normalize_cnpj(value)

    assert (raised.value.code, raised.value.messages) == ("cnpj", [message])


@pytest.mark.parametrize(
    "value, expected",
    [("52998224725", "529.982.247-25"), ("529.982.247-25", "529.982.247-25"), ("1234", "1234"), (None, ""), ("", "")],
)
def test_format_cpf__eleven_digits__punctuated_anything_else_unchanged(value, expected):
    assert format_cpf(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("11222333000181", "11.222.333/0001-81"), ("11.222.333/0001-81", "11.222.333/0001-81"), ("12", "12"), (None, "")],
)
def test_format_cnpj__fourteen_digits__punctuated_anything_else_unchanged(value, expected):
    assert format_cnpj(value) == expected


def test_format__reads_back_through_normalize():
    assert normalize_cpf(format_cpf("52998224725")) == "52998224725"
    assert normalize_cnpj(format_cnpj("11222333000181")) == "11222333000181"


def test_normalize_email__lowercases_and_rejects_bad():
    assert normalize_email("  Ana.Silva@Example.COM ") == "ana.silva@example.com"
    with pytest.raises(ValidationError):
        normalize_email("ana@")


@pytest.mark.parametrize("value, expected", [("1006", "1006"), (" 1207 ", "1207"), ("", None), (None, None)])
def test_normalize_esocial_code__four_digits_or_empty__returns_the_code(value, expected):
    assert normalize_esocial_code(value) == expected


@pytest.mark.parametrize("value", ["106", "10066", "10a6", "1.006", "١٠٠٦"])
def test_normalize_esocial_code__not_four_ascii_digits__raises_naming_the_value(value):
    with pytest.raises(ValidationError) as raised:
        normalize_esocial_code(value)

    assert value in raised.value.messages[0] and "4 digits" in raised.value.messages[0]
