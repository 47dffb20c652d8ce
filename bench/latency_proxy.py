"""A TCP proxy that adds network latency: every byte reaches the other side ``--rtt-ms`` / 2 later.

    .venv/bin/python bench/latency_proxy.py --target 127.0.0.1:8765            # 10 ms round trip (5 ms each way)
    .venv/bin/python bench/latency_proxy.py --target 127.0.0.1:8765 --rtt-ms 2 --port 9000

It prints ``listening on 127.0.0.1:<port>`` once it accepts connections, then forwards
each connection to the target. ``--rtt-ms N`` is the round trip added: N/2 ms client to
target and N/2 ms back, plus one round trip when a connection opens (the TCP handshake
a real network costs). Latency is not bandwidth: each chunk read is stamped with the time
it arrived and written out at that time plus the delay, in order, from a queue per
direction, so a stream of chunks is late by the delay once, not once per chunk. A
half-close (EOF) travels with the same delay; SIGTERM or SIGINT closes every connection
and exits with status 0. The benchmarks start it through ``_setup.start_proxy`` with
their ``--rtt-ms``; it is stdlib only, like them.
"""

import argparse
import asyncio
import collections
import os
import signal
import socket
import subprocess
import sys

# Above this many bytes waiting to be written towards one side, the other side is not read until it drains.
_HIGH_WATER = 1 << 20
_EOF = object()
_CLOSE = object()


class _Side(asyncio.Protocol):
    """One socket of a proxied connection; what it reads goes to its peer ``delay`` seconds later."""

    def __init__(self, proxy: "_Proxy", delay: float, *, accepted: bool):
        self.proxy, self.delay, self.accepted = proxy, delay, accepted
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.peer: _Side | None = None
        # (due time, bytes | _EOF | _CLOSE) waiting to be written to the peer, in arrival order.
        self.outbox: collections.deque = collections.deque()
        self.timer: asyncio.TimerHandle | None = None
        self.queued = 0
        self.eof_forwarded = self.closed = False

    def connection_made(self, transport):
        self.transport = transport
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.proxy.sides.add(self)
        if self.accepted:
            transport.pause_reading()  # until the target answers, as a client cannot send before the handshake
            task = self.loop.create_task(self.proxy.connect(self))
            self.proxy.connecting.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(self.proxy.connecting.discard)

    def data_received(self, data: bytes):
        self._send(data)
        self.queued += len(data)
        if self.queued > _HIGH_WATER:
            self.transport.pause_reading()

    def eof_received(self):
        self._send(_EOF)
        return True  # keep the socket open for what the peer still sends back

    def connection_lost(self, exc):
        self.closed = True
        self.proxy.sides.discard(self)
        self._send(_CLOSE)

    def _send(self, what) -> None:
        self.outbox.append((self.loop.time() + self.delay, what))
        if self.peer is not None and self.timer is None:
            self._flush()

    def _flush(self) -> None:
        """Hand the peer every chunk that is due, in order; come back when the next one is."""
        self.timer = None
        now = self.loop.time()
        while self.outbox and self.outbox[0][0] <= now:
            _, what = self.outbox.popleft()
            peer = self.peer.transport
            if what is _EOF:
                if peer.can_write_eof() and not peer.is_closing():
                    peer.write_eof()
                self.eof_forwarded = True
                if self.peer.eof_forwarded:  # both directions are finished: close once the buffers are out
                    peer.close()
                    self.transport.close()
            elif what is _CLOSE:
                peer.close()
            elif not peer.is_closing():
                peer.write(what)
                self.queued -= len(what)
                if self.queued <= _HIGH_WATER and not self.closed and not self.transport.is_closing():
                    self.transport.resume_reading()
        if self.outbox:
            self.timer = self.loop.call_at(self.outbox[0][0], self._flush)

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.transport is not None:
            self.transport.abort()


class _Proxy:
    def __init__(self, target_host: str, target_port: int, rtt_ms: float):
        self.target_host, self.target_port = target_host, target_port
        self.delay = rtt_ms / 2000
        self.sides: set[_Side] = set()
        self.connecting: set[asyncio.Task] = set()

    def accept(self) -> _Side:
        return _Side(self, self.delay, accepted=True)

    async def connect(self, client: _Side) -> None:
        await asyncio.sleep(2 * self.delay)  # the handshake's round trip
        try:
            _, upstream = await asyncio.get_running_loop().create_connection(
                lambda: _Side(self, self.delay, accepted=False), self.target_host, self.target_port
            )
        except OSError:
            client.transport.close()
            return
        if client.closed:
            upstream.transport.close()
            return
        client.peer, upstream.peer = upstream, client
        client._flush()
        client.transport.resume_reading()


async def serve(target: str, rtt_ms: float, host: str, port: int, *, until_stdin_closes: bool = False) -> None:
    target_host, target_port = target.rsplit(":", 1)
    proxy = _Proxy(target_host, int(target_port), rtt_ms)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(proxy.accept, host, port, backlog=1024, reuse_address=True)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if until_stdin_closes:  # the parent's pipe: when the parent dies, however it dies, so does the proxy
        loop.add_reader(sys.stdin.fileno(), lambda: os.read(sys.stdin.fileno(), 4096) or stop.set())
    bound = server.sockets[0].getsockname()
    print(f"listening on {bound[0]}:{bound[1]}", flush=True)
    await stop.wait()
    server.close()
    for side in list(proxy.sides):
        side.close()
    await server.wait_closed()


def start(target: str, rtt_ms: float, *, host: str = "127.0.0.1") -> tuple[subprocess.Popen, int]:
    """Start the proxy in a process of its own (no share of the caller's GIL); return it and its port."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--target", target, "--rtt-ms", str(rtt_ms), "--host", host, "--until-stdin-closes"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if not line.startswith("listening on "):
        process.kill()
        raise RuntimeError(f"the latency proxy did not start: {line!r}")
    return process, int(line.rsplit(":", 1)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True, help="host:port to forward to (DynamoDB Local)")
    parser.add_argument(
        "--rtt-ms", type=float, default=10.0, help="round trip added, in ms: half each way (default 10)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    parser.add_argument("--until-stdin-closes", action="store_true", help="also stop when standard input closes")
    args = parser.parse_args()
    if args.rtt_ms < 0:
        parser.error("--rtt-ms must be 0 or more")
    asyncio.run(serve(args.target, args.rtt_ms, args.host, args.port, until_stdin_closes=args.until_stdin_closes))


if __name__ == "__main__":
    main()
