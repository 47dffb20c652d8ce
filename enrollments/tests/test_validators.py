import pytest
from django.core.exceptions import ValidationError

from enrollments.validators import normalize_cnpj, normalize_cpf, normalize_email


@pytest.mark.parametrize(
    "value, expected", [("529.982.247-25", "52998224725"), ("52998224725", "52998224725"), ("", None), (None, None)]
)
def test_normalize_cpf__valid__returns_digits(value, expected):
    assert normalize_cpf(value) == expected


@pytest.mark.parametrize("value", ["529.982.247-24", "111.111.111-11", "1234", "abc.def.ghi-jk"])
def test_normalize_cpf__invalid__raises(value):
    with pytest.raises(ValidationError):
        normalize_cpf(value)


def test_normalize_cnpj__checks_digits():
    assert normalize_cnpj("11.222.333/0001-81") == "11222333000181"
    with pytest.raises(ValidationError):
        normalize_cnpj("11.222.333/0001-82")


def test_normalize_email__lowercases_and_rejects_bad():
    assert normalize_email("  Ana.Silva@Example.COM ") == "ana.silva@example.com"
    with pytest.raises(ValidationError):
        normalize_email("ana@")
