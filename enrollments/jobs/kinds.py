"""What a kind of background job declares, and the registry of kinds. No I/O.

A kind is declared once, beside its domain work (``imports/kind.py``, ``bulk_cancel/kind.py``,
``exports/kind.py``, ``renewals/kind.py``), and registered when its app is ready. Its ``name`` travels in task messages and URLs:
never change a kind's name.

A chunked kind (imports, bulk cancels, renewals) stores its work in chunk items of the job's partition; the mechanism
runs a chunk through ``chunk_results`` and records the rows and counters it returns once. A kind that is not
chunked (exports) does its whole work in ``run``, as chunk 0.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .. import labels
from .states import STATE_LABELS


@dataclass(frozen=True)
class JobKind:
    """One kind of background job: its items, keys, errors, work and page."""

    name: str
    # The job item's model and the key of a job; the job's partition is its key's ``pk``.
    model: type
    job_key: Callable
    # Raised for a job that does not exist (``job_get``), and by a second start of the same job id.
    not_found: type
    already_started: type
    # The job's progress, as its page's bar and ``progress.json`` show it, beyond what every kind shows (state,
    # finished, waiting, error): ``processed``, ``total``, ``percent`` at least.
    progress: Callable[[object], dict]
    # A chunked kind: its chunk and result keys and models, the job's counter of items done, and the work of a
    # chunk: ``chunk_results(job, chunk item, final_attempt=, progress=) -> (result rows, Counter of job counters)``,
    # calling ``progress(rows)`` as rows get done (the page's bar moves within a chunk: ``services.ChunkProgress``).
    chunk_key: Callable | None = None
    result_key: Callable | None = None
    result_model: type | None = None
    processed_attribute: str = ""
    chunk_results: Callable | None = None
    # The item that lists the job among the running ones (its model and key), deleted when it finishes or fails:
    # a sweep reads the running jobs in its partition. A kind without one names the jobs a sweep reads in
    # ``recent_ids()`` (exports: the ones within their retention).
    active_model: type | None = None
    active_key: Callable | None = None
    recent_ids: Callable[[], Iterable[str]] | None = None
    # A kind that is not chunked: ``run(job_id=) -> job`` does the whole work (chunk 0).
    run: Callable | None = None
    # Sweep hooks: ``sweep_job(job, stalled_before)`` returns whether it handled a job the mechanism does not
    # resume (an import stuck in PREPARING is failed); ``housekeeping()`` returns the ids of jobs it retired
    # (exports past their retention).
    sweep_job: Callable | None = None
    housekeeping: Callable[[], list[str]] | None = None
    # Options of the chunk task's message (``apply_async``), read when queued: an export's time limit.
    task_options: Callable[[], dict] = dict
    # The page: its template (extending ``admin/backoffice/job_detail.html``), its title, its element ids' prefix,
    # the text shown while the queue has not taken the job, its state labels, and the context of its own blocks.
    template: str = "admin/backoffice/job_detail.html"
    title: Callable[[object], str] = str
    dom_id: str = "job"
    # The page's URL names: ``<url_name>_detail`` and ``<url_name>_progress_json`` (``views.routes``).
    url_name: str = ""
    waiting_text: Callable[[], str] = lambda: str(labels.JOB_WAITING_FOR_QUEUE)
    state_labels: dict = field(default_factory=lambda: dict(STATE_LABELS))
    page_context: Callable[[object, dict], dict] = lambda job, progress: {}

    @property
    def chunked(self) -> bool:
        return self.chunk_results is not None

    def partition(self, job_id: str) -> str:
        return self.job_key(job_id).pk

    def active_marker(self, job_id: str):
        """Return the (unsaved) item that lists ``job_id`` among the running jobs, or None for a kind without one."""
        return self.active_model(*self.active_key(job_id)) if self.active_model is not None else None


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Register ``kind`` under its name (once: a second kind of the same name is a mistake); return it."""
    if _KINDS.get(kind.name, kind) is not kind:
        raise ValueError(f"Two job kinds are named {kind.name!r}.")
    _KINDS[kind.name] = kind
    return kind


def kind_named(name: str) -> JobKind:
    """Return the registered kind called ``name``; raise ``LookupError`` for an unknown one."""
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No job kind is named {name!r}.") from None


def all_kinds() -> list[JobKind]:
    """Return every registered kind, in registration order."""
    return list(_KINDS.values())
