import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

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
