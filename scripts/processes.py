"""Stop what `make run` started, from the pid files it left in its state folder (var/run).

    python scripts/processes.py stop --state var/run

In order: honcho (which stops web, worker and beat, each in its process group, and waits for them),
DynamoDB Local (its process group), and Redis when `make broker` started it (it writes redis.pid only
then). A pid file whose process is gone, or now belongs to another program, is only removed.
"""

import argparse
import os
import signal
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# pid file -> (a word of the process's command line, whether the pid leads a process group of its own)
KNOWN = {
    "honcho.pid": ("honcho", False),
    "dynamodb-local.pid": ("DynamoDBLocal", True),
    "redis.pid": ("redis-server", False),
}


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _signal(pid: int, sig: int, *, group: bool) -> None:
    try:
        os.killpg(pid, sig) if group else os.kill(pid, sig)
    except ProcessLookupError:
        pass


def stop_one(pid_file: Path, *, word: str, group: bool, timeout: float = 20) -> bool:
    """Stop the process ``pid_file`` names if it still runs ``word``: SIGTERM, then SIGKILL after ``timeout``.

    Return whether a process was stopped; the pid file is removed either way.
    """
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        pid_file.unlink(missing_ok=True)
        return False
    stopped = False
    if _alive(pid) and word in _command_line(pid):
        _signal(pid, signal.SIGTERM, group=group)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            _signal(pid, signal.SIGKILL, group=group)
        stopped = True
    pid_file.unlink(missing_ok=True)
    return stopped


def stop(state: Path) -> list[str]:
    """Stop every process of ``state``'s pid files; return the names of those stopped."""
    stopped = []
    for name, (word, group) in KNOWN.items():
        pid_file = state / name
        if pid_file.exists() and stop_one(pid_file, word=word, group=group):
            stopped.append(name.removesuffix(".pid"))
    return stopped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    stop_parser = sub.add_parser("stop", help="stop what the state folder's pid files name")
    stop_parser.add_argument("--state", default=str(ROOT / "var" / "run"))
    args = parser.parse_args()
    stopped = stop(Path(args.state))
    print(f"Stopped: {', '.join(stopped)}." if stopped else "Nothing to stop.")


if __name__ == "__main__":
    main()
