"""Background jobs: one mechanism for every kind of job (imports, bulk cancels, exports).

A kind declares what differs (``kinds.JobKind``: its item model, keys, errors, the work of a chunk, its progress
and its page); the mechanism owns the rest: queue once, record a chunk once, finish, fail, touch, resume the
stalled (``services``), the reads (``selectors``), one chunk task and one sweep task (``tasks``), one detail page
and one ``progress.json`` (``views``, ``templates/admin/backoffice/job_detail.html``).
"""
