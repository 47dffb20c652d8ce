"""Real Celery workers for tests: subprocesses on a queue of their own, killed like machines that die.

The fixtures built on them (``start_worker``, ``workers``) are in ``enrollments/tests/conftest.py``.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import redis
from django.conf import settings

from enrollments.tests.wait_support import wait_for

ROOT = Path(__file__).resolve().parents[2]


def _routing_key(raw: bytes) -> str | None:
    try:
        return json.loads(raw)[2]
    except (ValueError, IndexError, TypeError):
        return None


def queue_idle(queue: str) -> bool:
    """Return whether ``queue`` holds no message and no worker holds one of it unacknowledged."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    return broker.llen(queue) == 0 and not any(_routing_key(raw) == queue for raw in broker.hvals("unacked"))


def drop_queue(queue: str) -> None:
    """Delete ``queue`` and the unacknowledged messages of its killed workers, which kombu would restore into it later."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(queue)
    for tag, raw in broker.hgetall("unacked").items():
        if _routing_key(raw) == queue:
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


class Worker:
    """One Celery worker subprocess, in a process group of its own, logging to ``log``."""

    def __init__(self, *, queue: str, name: str, log: Path, env: dict, options: list[str]):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "backoffice.settings",
            "DYNAMODB_ENDPOINT": settings.DYNAMODB_ENDPOINT,
            "DYNAMODB_TABLE_PREFIX": settings.DYNAMODB_TABLE_PREFIX,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "PYTHONUNBUFFERED": "1",
            **{key: str(value) for key, value in env.items()},
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backoffice",
            "worker",
            "-Q",
            queue,
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *options,
        ]
        self.log = log
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> "Worker":
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited before it was ready:\n{self.output()}")
            return " ready." in self.output()

        wait_for(ready, timeout=timeout, message="the worker to start", details=self.output)
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool children: no cleanup, no acknowledgement, like a machine that dies."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class ImportWorkers:
    """Celery workers of imports on one queue of a test alone (``IMPORTS_QUEUE``)."""

    def __init__(self, *, queue: str, tmp_path: Path):
        self.queue = queue
        self.tmp_path = tmp_path
        self.workers: list[Worker] = []

    def start(self, **env) -> Worker:
        """Start one more worker; ``env`` overrides its settings (``IMPORT_THREADS=1``)."""
        number = len(self.workers)
        worker = Worker(
            queue=self.queue,
            name=f"{self.queue}-{number}",
            log=self.tmp_path / f"worker-{number}.log",
            env={"IMPORTS_QUEUE": self.queue, "IMPORT_THREADS": 4, **env},
            options=["--concurrency", "2", "--loglevel", "WARNING"],
        )
        self.workers.append(worker)
        return worker

    def kill(self, worker: Worker) -> None:
        worker.kill()

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop()
        drop_queue(self.queue)

    def logs(self) -> str:
        return "\n".join(worker.output()[-3000:] for worker in self.workers)

    def wait_for(self, condition, *, timeout: float = 240.0, every: float = 0.3):
        """Return ``condition()``'s first true value; fail with the workers' logs after ``timeout`` seconds."""
        return wait_for(condition, timeout=timeout, every=every, message="the workers", details=self.logs)


class BrokerOutage:
    """The task queue down for this process: the Celery app points at a port where nothing listens, until
    ``restore()``. Workers keep their own connection to the real broker."""

    def __init__(self):
        from backoffice.celery import celery_app

        self.app = celery_app
        self.saved = celery_app.conf.broker_url

    def start(self, dead_url: str) -> "BrokerOutage":
        self._point_at(dead_url)
        return self

    def restore(self) -> None:
        self._point_at(self.saved)

    def _point_at(self, url: str) -> None:
        from kombu import pools

        self.app.conf.broker_url = url
        # Drop every pooled connection and producer, so the next publish connects to ``url``.
        self.app.pool.force_close_all()
        self.app._pool = None
        self.app.amqp._producer_pool = None
        pools.reset()
