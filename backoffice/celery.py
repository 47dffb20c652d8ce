import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready

from backoffice import observability
from backoffice.gc_tuning import freeze_after_startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")

celery_app = Celery("backoffice")
celery_app.config_from_object("django.conf:settings", namespace="CELERY")
celery_app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_pool_process(**kwargs):
    """A prefork pool process, started: what it inherited and loaded stays out of full collections."""
    freeze_after_startup()


@worker_ready.connect
def _freeze_worker(**kwargs):
    """The worker's main process, ready (tasks run here with the solo and threads pools)."""
    freeze_after_startup()


@task_prerun.connect
def _log_with_job_id(task=None, args=None, kwargs=None, **extra):
    """A task of a job (a chunk of any job kind, or a first-name alias) logs with its ``job_id``."""
    observability.job_context_begin(task, args or (), kwargs or {})


@task_postrun.connect
def _log_without_job_id(**kwargs):
    observability.job_context_end()
