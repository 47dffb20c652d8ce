"""Make sure a Redis answers at the broker URL; start a local redis-server when one is installed.

python scripts/ensure_broker.py [--state var/run]   # a redis-server it starts writes redis.pid there (make stop)
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import redis

URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")


def answers() -> bool:
    try:
        return redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", help="folder for the pid file of a redis-server started here")
    args = parser.parse_args()
    if answers():
        return
    parsed = urlparse(URL)
    local = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if not local or shutil.which("redis-server") is None:
        sys.exit(
            f"No Redis answers at {URL}: install one (Debian: apt-get install -y redis-server) or set CELERY_BROKER_URL."
        )
    if args.state:
        Path(args.state).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(parsed.port or 6379),
            "--save",
            "",
            "--appendonly",
            "no",
            *(["--pidfile", str(Path(args.state).resolve() / "redis.pid")] if args.state else []),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        if answers():
            print(f"Started redis-server at {URL}.")
            return
        time.sleep(0.1)
    sys.exit(f"redis-server started but nothing answers at {URL}.")


if __name__ == "__main__":
    main()
