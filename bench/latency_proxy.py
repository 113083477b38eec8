"""A forward HTTP proxy that adds a round trip: every chunk waits half of it on its way in each direction.

It puts a lab site 'far away' for a benchmark, for the browser, Playwright's HTTP client and httpx alike
(each told to use the proxy), without touching the machine's network. Plain http:// only: a client sends
the proxy absolute-form requests (`GET http://host:port/path HTTP/1.1`), which the proxy passes on as
they are; HTTP/1.1 servers must accept that form. CONNECT (https://) is tunnelled the same way.

    python bench/latency_proxy.py --port 8890 --rtt-ms 100
"""
from __future__ import annotations

import argparse
import asyncio
import threading
from urllib.parse import urlsplit


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay_s: float) -> None:
    try:
        while chunk := await reader.read(65536):
            await asyncio.sleep(delay_s)
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def _client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay_s: float) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:  # a client that only checked the port is open
        writer.close()
        return
    method, target, _version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
    if method == "CONNECT":
        host, _, port = target.rpartition(":")
    else:
        parts = urlsplit(target)
        host, port = parts.hostname, str(parts.port or 80)
    upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
    await asyncio.sleep(delay_s)  # the request's first leg
    if method == "CONNECT":
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
    else:
        upstream_writer.write(head)
    await asyncio.gather(_pipe(reader, upstream_writer, delay_s), _pipe(upstream_reader, writer, delay_s))


def serve(port: int, rtt_ms: float) -> None:
    async def main() -> None:
        server = await asyncio.start_server(lambda r, w: _client(r, w, rtt_ms / 2000), "127.0.0.1", port)
        async with server:
            await server.serve_forever()
    asyncio.run(main())


def start_in_background(port: int, rtt_ms: float) -> str:
    """The proxy in a daemon thread of this process; returns its URL."""
    threading.Thread(target=serve, args=(port, rtt_ms), daemon=True).start()
    import socket
    import time
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return f"http://127.0.0.1:{port}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8890)
    parser.add_argument("--rtt-ms", type=float, default=100.0)
    args = parser.parse_args()
    serve(args.port, args.rtt_ms)
