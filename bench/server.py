"""A minimal keep-alive HTTP/1.1 server on 127.0.0.1 answering every request with a DescribeInstance body.

It runs in its own process (asyncio protocol, no signature checks) so that it costs the measured
client nothing and answers faster than any client under test can ask. Standard library only.
Run: `python bench/server.py [--port 0]`; it prints the port, then serves until stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent / "drivers"))
from answer import BODY, HEADERS  # noqa: E402

ANSWER = (
    b"HTTP/1.1 200 OK\r\n"
    + b"".join(f"{k}: {v}\r\n".encode() for k, v in HEADERS.items())
    + b"connection: keep-alive\r\n\r\n"
    + BODY
)


class _Answerer(asyncio.Protocol):
    """Reads request heads (and Content-Length bodies) and answers each with the canned response."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Start with an empty buffer."""
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        """Answer every complete request in the buffer."""
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = _content_length(self.buffer[:end])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(ANSWER)  # type: ignore[attr-defined]


def _content_length(head: bytes) -> int:
    """The Content-Length of a request head (0 when absent)."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip() or 0)
    return 0


def _wait_for_stdin(loop: asyncio.AbstractEventLoop, closed: asyncio.Future) -> None:
    """Block until stdin closes (the parent is done), then resolve `closed`."""
    sys.stdin.read()
    loop.call_soon_threadsafe(closed.set_result, None)


async def _serve(port: int) -> None:
    """Serve until stdin closes."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Answerer, "127.0.0.1", port, backlog=512)
    print(server.sockets[0].getsockname()[1], flush=True)
    closed = loop.create_future()
    threading.Thread(target=_wait_for_stdin, args=(loop, closed), daemon=True).start()
    async with server:
        await closed


@contextmanager
def running_server(python: str = sys.executable) -> Iterator[int]:
    """Start the server in a separate process; yield its port; stop it on exit."""
    proc = subprocess.Popen(
        [python, str(Path(__file__).resolve())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield int(proc.stdout.readline())
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    asyncio.run(_serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
