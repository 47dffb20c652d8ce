"""Second-factor devices: set up an authenticator, issue recovery codes, check a code.

Django's ORM holds them (django-otp's tables), like every other auth table: no domain data.
"""

import re
from base64 import b32encode

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
_TOTP_CODE = re.compile(r"\d{6}")


class InvalidCode(Exception):
    """The code given is wrong, used already, or came too soon after wrong ones."""


def totp_device_start(*, user) -> TOTPDevice:
    """Return ``user``'s authenticator waiting for its first code, made now if there is none.

    Reloading the setup page keeps the secret already scanned; a confirmed device is never returned.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """Return the device's secret in base32, as authenticator apps take it typed, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, code: str) -> list[str]:
    """Confirm ``device`` with a code it generated, and return new recovery codes, shown once.

    Raise ``InvalidCode`` when the code does not match. Confirming replaces the user's other devices: one
    authenticator and one set of recovery codes per person.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, confirmed=False)
    if not device.verify_token(_clean(code)):
        raise InvalidCode
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_issue(user=device.user)


@transaction.atomic
def recovery_codes_issue(*, user) -> list[str]:
    """Replace ``user``'s recovery codes with ``RECOVERY_CODES`` new ones; return them (stored as given)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_check(*, user, code: str):
    """Return the device that accepts ``code``: a 6-digit code of the authenticator, else a recovery code
    (used up by this). Raise ``InvalidCode`` otherwise.

    A code goes only to the kind of device it can belong to, so a recovery code does not count as a wrong
    authenticator code (each wrong code makes django-otp wait longer before the next try).
    """
    code = _clean(code)
    model = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    raise InvalidCode


def _clean(code: str) -> str:
    """Return the code as stored: no spaces or dashes people type between groups, lower case."""
    return re.sub(r"[\s-]", "", code).lower()
