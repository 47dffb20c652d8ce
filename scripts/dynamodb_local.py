"""Fetch, verify and start DynamoDB Local, the official AWS emulator.

The jar ships inside the npm package ``amplify-dynamodb-simulator``; ``npm pack``
downloads that package without installing anything. The jar's sha256 is pinned.

    python scripts/dynamodb_local.py fetch
    python scripts/dynamodb_local.py start --data var/dynamodb --state var/run   # background
    python scripts/dynamodb_local.py stop --state var/run
"""

import argparse
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PACKAGE = "amplify-dynamodb-simulator"
VERSION = "2.9.30"
JAR_SHA256 = "454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7"
ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "dynamodb-local" / VERSION
PREFERRED_PORT = 8765


class DynamoDBLocalError(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch() -> Path:
    """Return the folder holding a verified ``DynamoDBLocal.jar``, fetching it when missing."""
    jar = CACHE / "DynamoDBLocal.jar"
    if jar.exists() and _sha256(jar) == JAR_SHA256:
        return CACHE
    if shutil.which("npm") is None:
        raise DynamoDBLocalError(
            "npm is needed to fetch DynamoDB Local (it ships in an npm package): "
            "install Node.js and npm (Debian: apt-get install -y nodejs npm)."
        )
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE.parent) as work:
        result = subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent", "--pack-destination", work],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise DynamoDBLocalError(f"npm pack {PACKAGE}@{VERSION} failed: {result.stderr.strip()}")
        tarball = next(Path(work).glob("*.tgz"))
        unpacked = Path(work) / "unpacked"
        with tarfile.open(tarball) as archive:
            members = [m for m in archive.getmembers() if m.name.startswith("package/emulator/")]
            archive.extractall(unpacked, members=members, filter="data")
        emulator = unpacked / "package" / "emulator"
        actual = _sha256(emulator / "DynamoDBLocal.jar")
        if actual != JAR_SHA256:
            raise DynamoDBLocalError(
                f"DynamoDBLocal.jar sha256 is {actual}, expected {JAR_SHA256}: refusing to run it."
            )
        if CACHE.exists():
            shutil.rmtree(CACHE)
        try:
            emulator.rename(CACHE)
        except OSError:
            if not (CACHE / "DynamoDBLocal.jar").exists():  # another process fetched it meanwhile
                raise
    return CACHE


def free_port(preferred: int | None = None) -> int:
    """Return ``preferred`` when nothing listens on it, else a port the OS says is free."""
    candidates = ([preferred] if preferred else []) + [0]
    for candidate in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise DynamoDBLocalError("No free port.")


def answers(port: int) -> bool:
    """Return whether something answers HTTP on ``port``."""
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
    except urllib.error.HTTPError:
        return True  # DynamoDB answers an unsigned GET with 400: it is up.
    except OSError:
        return False
    return True


def start(
    *, port: int | None = None, data_dir: Path | None = None, log_path: Path | None = None, tries: int = 3
) -> tuple[subprocess.Popen, int]:
    """Start DynamoDB Local (in memory without ``data_dir``); return the process and its port once it answers.

    Without ``port``, the port is one the OS says is free, and it is ours only if our process still runs once
    something answers there: two test processes starting at once could otherwise both pick one port, and the
    loser would use the winner's emulator until the winner's session stopped it ("connection refused" mid-run).
    A process that lost its port is started again on another one, up to ``tries`` times.
    """
    for attempt in range(1, tries + 1):
        try:
            return _start_once(port=port or free_port(), data_dir=data_dir, log_path=log_path)
        except PortTaken:
            if port or attempt == tries:
                raise
    raise AssertionError("unreachable")


class PortTaken(DynamoDBLocalError):
    pass


def _start_once(*, port: int, data_dir: Path | None, log_path: Path | None) -> tuple[subprocess.Popen, int]:
    if shutil.which("java") is None:
        raise DynamoDBLocalError(
            "Java is needed to run DynamoDB Local: install Java 17 (Debian: apt-get install -y openjdk-17-jre-headless)."
        )
    folder = fetch()
    command = [
        "java",
        "-Djava.library.path=DynamoDBLocal_lib",
        "-jar",
        "DynamoDBLocal.jar",
        "-port",
        str(port),
        "-disableTelemetry",
    ]
    if data_dir:
        data_dir = Path(data_dir).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        command += ["-sharedDb", "-dbPath", str(data_dir)]
    else:
        command += ["-sharedDb", "-inMemory"]
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while not answers(port) or process.poll() is not None:
        if process.poll() is not None:
            if answers(port):
                raise PortTaken(f"Another process answers on port {port}.")
            raise DynamoDBLocalError(
                f"DynamoDB Local exited with status {process.returncode}" + (f"; see {log_path}" if log_path else "")
            )
        if time.monotonic() > deadline:
            process.kill()
            raise DynamoDBLocalError("DynamoDB Local did not answer within 60 seconds.")
        time.sleep(0.2)
    return process, port


def _background(args) -> None:
    state = Path(args.state)
    state.mkdir(parents=True, exist_ok=True)
    pid_file, port_file = state / "dynamodb-local.pid", state / "dynamodb-local.port"
    if pid_file.exists() and port_file.exists():
        port = int(port_file.read_text())
        if answers(port):
            print(f"http://127.0.0.1:{port}")
            return
    process, port = start(
        port=args.port or free_port(PREFERRED_PORT), data_dir=args.data, log_path=state / "dynamodb-local.log"
    )
    pid_file.write_text(str(process.pid))
    port_file.write_text(str(port))
    print(f"http://127.0.0.1:{port}")


def _stop(args) -> None:
    pid_file = Path(args.state) / "dynamodb-local.pid"
    if pid_file.exists():
        try:
            os.killpg(int(pid_file.read_text()), signal.SIGTERM)
        except ProcessLookupError:
            pass
        pid_file.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="download and verify the jar")
    start_parser = sub.add_parser("start", help="start in the background, print the endpoint once it answers")
    start_parser.add_argument("--data", help="folder for persistent data (default: in memory)")
    start_parser.add_argument("--state", default=str(ROOT / "var" / "run"), help="folder for pid, port and log files")
    start_parser.add_argument("--port", type=int)
    stop_parser = sub.add_parser("stop")
    stop_parser.add_argument("--state", default=str(ROOT / "var" / "run"))
    args = parser.parse_args()
    try:
        if args.command == "fetch":
            print(fetch())
        elif args.command == "start":
            _background(args)
        else:
            _stop(args)
    except DynamoDBLocalError as error:
        sys.exit(f"dynamodb-local: {error}")


if __name__ == "__main__":
    main()
