"""Keep full garbage collections off the request path of the web and worker processes.

A started process holds some 200,000 objects that live as long as it does (modules,
Django's settings and URL patterns, botocore's service models). Python's full
collection walks every one of them: about 100 ms, every few dozen requests, which
is the p95 of a page. ``gc.freeze()`` after start-up moves them to a generation the
collector never walks, so a full collection only looks at what came later; with
prefork workers it also keeps the collector from writing to pages shared with the parent.
"""

import gc

# Collections of the youngest generation start after this many new container objects (Python's default: 700).
# A request of the list page makes a few tens of thousands; fewer, larger young collections cost less in all.
YOUNG_THRESHOLD = 50_000


def freeze_after_startup() -> None:
    """Collect once, freeze what survives, and collect the young less often.

    Call it once the application is loaded (``backoffice.wsgi``, the Celery worker's
    process start, the benchmarks), before the first request or task.
    """
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
