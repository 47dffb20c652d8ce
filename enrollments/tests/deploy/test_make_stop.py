"""`make stop` stops what `make run` started: honcho with web, worker and beat, and DynamoDB Local."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from enrollments.tests.wait_support import wait_for
from scripts import processes

ROOT = Path(__file__).resolve().parents[3]
SLEEPER = f"{sys.executable} -c 'import time; time.sleep(600)'"


def _honcho_like_make_run(state: Path, procfile: Path, log: Path) -> subprocess.Popen:
    """Start honcho as `make run` does: the shell writes its pid, then becomes honcho (exec)."""
    honcho = Path(sys.executable).with_name("honcho")
    script = f"echo $$ > {state}/honcho.pid && exec {honcho} start -f {procfile}"
    return subprocess.Popen(["sh", "-c", script], cwd=state, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def _started_pids(log: Path, count: int) -> list[int]:
    def started() -> list[int]:
        pids = [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", log.read_text())]
        return pids if len(pids) == count else []

    return wait_for(started, timeout=30, message="honcho to start its processes", details=log.read_text)


def test_makefile__run_records_honchos_pid_before_exec_and_stop_uses_the_pid_files():
    makefile = (ROOT / "Makefile").read_text()

    assert re.search(r"echo \$\$\$\$ > \$\(STATE\)/honcho\.pid && \\\n\texec honcho start -f Procfile", makefile)
    assert re.search(r"^stop:\n\t@\$\(PY\) scripts/processes\.py stop --state \$\(STATE\)$", makefile, re.M)
    assert "ensure_broker.py --state $(STATE)" in makefile


@pytest.mark.slow
def test_make_stop__after_run__stops_honcho_its_processes_and_dynamodb_local(tmp_path):
    state = tmp_path / "run"
    state.mkdir()
    started = subprocess.run(
        [sys.executable, "scripts/dynamodb_local.py", "start", "--state", str(state)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    dynamodb_pid = int((state / "dynamodb-local.pid").read_text())
    procfile = tmp_path / "Procfile"
    procfile.write_text(f"web: {SLEEPER}\nworker: {SLEEPER}\nbeat: {SLEEPER}\n")
    log = tmp_path / "honcho.log"
    honcho = _honcho_like_make_run(state, procfile, log)
    try:
        children = _started_pids(log, 3)

        stop = subprocess.run(
            ["make", "-s", "stop", f"STATE={state}"], cwd=ROOT, capture_output=True, text=True, timeout=120
        )

        assert stop.returncode == 0, stop.stderr
        assert stop.stdout.strip() == "Stopped: honcho, dynamodb-local."
        assert honcho.wait(timeout=30) is not None
        assert not any(processes._alive(pid) for pid in [*children, dynamodb_pid])
        assert list(state.glob("*.pid")) == []
    finally:
        if honcho.poll() is None:
            honcho.kill()
        processes.stop(state)


def test_stop__pid_file_of_another_program__removes_the_file_and_signals_nothing(tmp_path):
    """A pid reused by another program after a reboot or a crash is left alone (here: this test's own process)."""
    (tmp_path / "honcho.pid").write_text(str(os.getpid()))
    (tmp_path / "dynamodb-local.pid").write_text("not a pid")

    assert processes.stop(tmp_path) == []
    assert list(tmp_path.glob("*.pid")) == []
