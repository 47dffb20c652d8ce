"""Who owes a second factor (no I/O beyond the user's own rows)."""

from django.conf import settings
from django_otp import user_has_device

EVERYONE, PRIVILEGED, NOBODY = "everyone", "privileged", "nobody"


def second_factor_required(user) -> bool:
    """Return whether ``user`` must use a second factor: by ``TWO_FACTOR_REQUIRED_FOR``."""
    if not user.is_authenticated or not user.is_staff:
        return False
    required_for = settings.TWO_FACTOR_REQUIRED_FOR
    if required_for == EVERYONE:
        return True
    if required_for == PRIVILEGED:
        return user.is_superuser or user.groups.filter(name__in=settings.TWO_FACTOR_GROUPS).exists()
    return False


def has_authenticator(user) -> bool:
    """Return whether ``user`` has a confirmed device (an authenticator app, recovery codes)."""
    return user.is_authenticated and user_has_device(user, confirmed=True)


def second_factor_pending(user) -> bool:
    """Return whether ``user`` gave a password but not yet the code this session needs.

    Someone with an authenticator is asked for it even where it is not required: a device that a password
    alone could skip would protect nothing.
    """
    if not user.is_authenticated or _is_verified(user):
        return False
    # has_permission asks several times per request; the answer holds for the request.
    pending = getattr(user, "_second_factor_pending", None)
    if pending is None:
        pending = second_factor_required(user) or has_authenticator(user)
        user._second_factor_pending = pending
    return pending


def _is_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())
