"""Probes for load balancers and orchestrators: no login, no data, never cached."""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .selectors import OK, readiness


@never_cache
@require_safe
def healthz(request):
    """Answer 200 while the process serves requests; touch nothing else."""
    return JsonResponse({"status": OK})


@never_cache
@require_safe
def readyz(request):
    """Answer 200 when DynamoDB and the broker answer in time, else 503 naming the ones that did not."""
    checks = readiness(timeout=settings.READINESS_TIMEOUT_SECONDS)
    failed = sorted(name for name, outcome in checks.items() if outcome != OK)
    body = {"status": "unavailable" if failed else OK, "checks": checks, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)
