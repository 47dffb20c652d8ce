"""Validation of the people data staff type or import."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _


def normalize_email(value: str) -> str:
    """Return the email trimmed and lower-cased, or raise ``ValidationError``."""
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("%(value)s is not a valid email address.") % {"value": value or _("(empty)")}, code="email"
        ) from None
    return email


def _cpf_digit(digits: list[int]) -> int:
    weight = len(digits) + 1
    total = sum(d * (weight - i) for i, d in enumerate(digits))
    rest = total * 10 % 11
    return 0 if rest == 10 else rest


def normalize_cpf(value: str | None) -> str | None:
    """Return the CPF as 11 digits (``None`` when empty), or raise ``ValidationError``."""
    if value is None or not str(value).strip():
        return None
    digits_only = re.sub(r"[.\-\s]", "", str(value).strip())
    if not re.fullmatch(r"\d{11}", digits_only) or len(set(digits_only)) == 1:
        raise ValidationError(_("%(value)s is not a valid CPF.") % {"value": value}, code="cpf")
    digits = [int(c) for c in digits_only]
    if _cpf_digit(digits[:9]) != digits[9] or _cpf_digit(digits[:10]) != digits[10]:
        raise ValidationError(
            _("%(value)s is not a valid CPF (check digits do not match).") % {"value": value}, code="cpf"
        )
    return digits_only


def normalize_cnpj(value: str | None) -> str | None:
    """Return the CNPJ as 14 digits (``None`` when empty), or raise ``ValidationError``."""
    if value is None or not str(value).strip():
        return None
    digits_only = re.sub(r"[./\-\s]", "", str(value).strip())
    if not re.fullmatch(r"\d{14}", digits_only) or len(set(digits_only)) == 1:
        raise ValidationError(_("%(value)s is not a valid CNPJ.") % {"value": value}, code="cnpj")
    digits = [int(c) for c in digits_only]
    for position in (12, 13):
        weights = list(range(position - 7, 1, -1)) + list(range(9, 1, -1))
        total = sum(d * w for d, w in zip(digits[:position], weights, strict=True))
        check = 0 if total % 11 < 2 else 11 - total % 11
        if check != digits[position]:
            raise ValidationError(
                _("%(value)s is not a valid CNPJ (check digits do not match).") % {"value": value}, code="cnpj"
            )
    return digits_only
