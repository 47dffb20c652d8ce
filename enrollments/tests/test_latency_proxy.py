"""bench/latency_proxy.py, the benchmarks' network latency: bytes pass unchanged both ways, and it stops cleanly.

How late the bytes arrive is the benchmarks' business (no timing assertions here).
"""

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROXY = ROOT / "bench" / "latency_proxy.py"


@contextlib.contextmanager
def _echo_server():
    """Yield the port of a server that sends back what it reads, then the SHA-256 of it, then closes."""
    server = socket.create_server(("127.0.0.1", 0), backlog=128)

    def echo(conn: socket.socket) -> None:
        with conn:
            digest = hashlib.sha256()
            while data := conn.recv(65536):
                digest.update(data)
                conn.sendall(data)
            conn.sendall(digest.digest())  # after the client's EOF: the half-close went through

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=echo, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


@contextlib.contextmanager
def _proxy(target_port: int, *extra: str):
    process = subprocess.Popen(
        [sys.executable, str(PROXY), "--target", f"127.0.0.1:{target_port}", "--rtt-ms", "2", *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("listening on 127.0.0.1:"), line
        yield process, int(line.rsplit(":", 1)[1])
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _round_trip(port: int, payload: bytes) -> bytes:
    """Send ``payload`` through the proxy, half-close, and return everything that comes back until the close."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        sender = threading.Thread(target=lambda: (conn.sendall(payload), conn.shutdown(socket.SHUT_WR)))
        sender.start()
        received = bytearray()
        while data := conn.recv(65536):
            received += data
        sender.join()
    return bytes(received)


@pytest.mark.slow
def test_latency_proxy__bytes_pass_unchanged_both_ways_on_many_connections_at_once():
    payloads = [os.urandom(size) for size in (1, 100, 5_000, 300_000, 1_000_000) for _ in range(13)]  # 65 at once

    with _echo_server() as target, _proxy(target) as (_, port), ThreadPoolExecutor(len(payloads)) as pool:
        answers = list(pool.map(lambda payload: _round_trip(port, payload), payloads))

    for payload, answer in zip(payloads, answers, strict=True):
        assert answer == payload + hashlib.sha256(payload).digest()


@pytest.mark.slow
def test_latency_proxy__sigterm__closes_open_connections_and_exits_with_status_0():
    with _echo_server() as target, _proxy(target) as (process, port):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(b"ping")
            assert conn.recv(4) == b"ping"

            process.send_signal(signal.SIGTERM)

            assert process.wait(timeout=10) == 0
            try:
                assert conn.recv(1) == b""
            except ConnectionResetError:
                pass


@pytest.mark.slow
def test_latency_proxy__parent_pipe_closed__exits():
    with _echo_server() as target, _proxy(target, "--until-stdin-closes") as (process, port):
        assert _round_trip(port, b"hello") == b"hello" + hashlib.sha256(b"hello").digest()

        process.stdin.close()

        assert process.wait(timeout=10) == 0


@pytest.mark.slow
def test_latency_proxy__target_down__closes_the_client_connection():
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        closed_port = placeholder.getsockname()[1]
    with _proxy(closed_port) as (_, port):
        try:
            answer = _round_trip(port, b"anyone there?")
        except ConnectionResetError:  # the bytes sent were never read: the kernel resets instead of closing
            answer = b""

    assert answer == b""
