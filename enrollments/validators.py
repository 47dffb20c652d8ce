"""Validation of the people data staff type or import, and Brazilian documents as Brazilians write them.

The check digits of CPF and CNPJ are django-localflavor's (``localflavor.br``). The shape
(ASCII digits only, punctuation anywhere), the refusal of all-equal digits and the
messages are the project's: localflavor accepts the CNPJ ``00.000.000/0000-00``, only
the exact ``000.000.000-00`` punctuation of a CPF, alphanumeric CNPJs (digits are stored
here), and its messages do not name the value.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from localflavor.br.validators import BRCNPJValidator, BRCPFValidator

# What people type between the digits: dots, dashes and spaces, and a slash in a CNPJ.
_CPF_PUNCTUATION = re.compile(r"[.\-\s]")
_CNPJ_PUNCTUATION = re.compile(r"[./\-\s]")
# ASCII only: "\d" would take other scripts' digits, and localflavor's isdigit() superscripts too.
_CPF_DIGITS = re.compile(r"[0-9]{11}")
_CNPJ_DIGITS = re.compile(r"[0-9]{14}")
# A code of eSocial's table 28 ("Treinamentos, capacitações, exercícios simulados e outras anotações"): 4 digits.
_ESOCIAL_CODE = re.compile(r"[0-9]{4}")
_CPF_CHECK = BRCPFValidator()
_CNPJ_CHECK = BRCNPJValidator()


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


def normalize_cpf(value: str | None) -> str | None:
    """Return the CPF as 11 digits (``None`` when empty), or raise ``ValidationError``."""
    if value is None or not str(value).strip():
        return None
    digits = _CPF_PUNCTUATION.sub("", str(value).strip())
    if not _CPF_DIGITS.fullmatch(digits) or len(set(digits)) == 1:
        raise ValidationError(_("%(value)s is not a valid CPF.") % {"value": value}, code="cpf")
    try:
        _CPF_CHECK(digits)
    except ValidationError:
        raise ValidationError(
            _("%(value)s is not a valid CPF (check digits do not match).") % {"value": value}, code="cpf"
        ) from None
    return digits


def normalize_cnpj(value: str | None) -> str | None:
    """Return the CNPJ as 14 digits (``None`` when empty), or raise ``ValidationError``."""
    if value is None or not str(value).strip():
        return None
    digits = _CNPJ_PUNCTUATION.sub("", str(value).strip())
    # localflavor's check accepts 00.000.000/0000-00; the all-equal refusal stays here.
    if not _CNPJ_DIGITS.fullmatch(digits) or len(set(digits)) == 1:
        raise ValidationError(_("%(value)s is not a valid CNPJ.") % {"value": value}, code="cnpj")
    try:
        _CNPJ_CHECK(digits)
    except ValidationError:
        raise ValidationError(
            _("%(value)s is not a valid CNPJ (check digits do not match).") % {"value": value}, code="cnpj"
        ) from None
    return digits


def normalize_esocial_code(value: str | None) -> str | None:
    """Return a code of eSocial's table 28 as its 4 digits (``None`` when empty), or raise ``ValidationError``."""
    if value is None or not str(value).strip():
        return None
    code = str(value).strip()
    if not _ESOCIAL_CODE.fullmatch(code):
        raise ValidationError(
            _("%(value)s is not a code of eSocial's table 28: it has exactly 4 digits (1006, say).") % {"value": value},
            code="esocial_code",
        )
    return code


def format_cpf(value: str | None) -> str:
    """Return 11 stored digits as ``529.982.247-25``; anything else as it is (``""`` for ``None``)."""
    text = "" if value is None else str(value)
    if not _CPF_DIGITS.fullmatch(text):
        return text
    return f"{text[:3]}.{text[3:6]}.{text[6:9]}-{text[9:]}"


def format_cnpj(value: str | None) -> str:
    """Return 14 stored digits as ``11.222.333/0001-81``; anything else as it is (``""`` for ``None``)."""
    text = "" if value is None else str(value)
    if not _CNPJ_DIGITS.fullmatch(text):
        return text
    return f"{text[:2]}.{text[2:5]}.{text[5:8]}/{text[8:12]}-{text[12:]}"
