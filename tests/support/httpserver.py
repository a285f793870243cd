"""A loopback HTTP server for tests: real sockets, scripted answers, recorded requests.

Tests register routes (`server.route("/feed", Response(...))`) and read back what the client
sent (`server.requests`). Besides plain answers, a route can misbehave the way real servers do:
hang, trickle bytes, never end, or cut the connection. Misbehaving handlers stop as soon as the
client disconnects or the server is reset, so they never hold up the next test or shutdown.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    """Lower-cased names."""


@dataclass(frozen=True)
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class Connection:
    """What a misbehaving route gets: the raw handler plus a way to wait that ends early."""

    def __init__(self, handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        self.handler = handler
        self.stop = stop

    def head(self, status: int, headers: dict[str, str]) -> None:
        self.handler.send_response(status)
        for name, value in headers.items():
            self.handler.send_header(name, value)
        self.handler.end_headers()
        self.handler.wfile.flush()

    def write(self, data: bytes) -> bool:
        """False once the client has gone away."""
        try:
            self.handler.wfile.write(data)
            self.handler.wfile.flush()
        except OSError:
            return False
        return True

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; False if the client hung up or the server is resetting."""
        sock = self.handler.connection
        readable, _, _ = select.select([sock], [], [], seconds)
        if readable:
            try:
                if not sock.recv(1, socket.MSG_PEEK):
                    return False
            except OSError:
                return False
            return not self.stop.wait(seconds)  # pipelined bytes, not a hang-up
        return not self.stop.is_set()

    def reset(self) -> None:
        """Abort with a TCP RST instead of a clean close."""
        sock = self.handler.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The fd only closes (and the RST only goes out) once the file wrappers let go of it.
        self.handler.wfile.close()
        self.handler.rfile.close()
        sock.close()
        self.handler.close_connection = True


@dataclass(frozen=True)
class Behaviour:
    """A route that drives the connection itself instead of returning a `Response`."""

    run: Callable[[Connection], None]


Route = Response | Behaviour | Callable[[Request], Response | Behaviour]


def hang() -> Behaviour:
    """Accept the request and never answer."""

    def run(conn: Connection) -> None:
        while conn.wait(0.05):
            pass

    return Behaviour(run)


def trickle(interval: float = 0.05, limit: int = 100_000) -> Behaviour:
    """Answer 200 at once, then send the body one byte per `interval`."""

    def run(conn: Connection) -> None:
        conn.head(200, {"Content-Type": "application/rss+xml"})
        for _ in range(limit):
            if not conn.write(b" ") or not conn.wait(interval):
                return

    return Behaviour(run)


def endless(content_length: int | None = None, chunk: bytes = b"<item/>" * 9362) -> Behaviour:
    """Answer 200 and send chunks until the client gives up (optionally declaring a length)."""

    def run(conn: Connection) -> None:
        headers = {"Content-Type": "application/rss+xml"}
        if content_length is not None:
            headers["Content-Length"] = str(content_length)
        conn.head(200, headers)
        while not conn.stop.is_set() and conn.write(chunk):
            pass

    return Behaviour(run)


def cut_off(sent: bytes, declared: int, *, rst: bool = False) -> Behaviour:
    """Declare `declared` bytes, send only `sent`, then close (or reset) the connection."""

    def run(conn: Connection) -> None:
        conn.head(200, {"Content-Type": "application/rss+xml", "Content-Length": str(declared)})
        conn.write(sent)
        if rst:
            conn.reset()

    return Behaviour(run)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 5  # a stuck client must not pin a server thread forever

    def setup(self) -> None:
        super().setup()
        self.server.owner.count_connection()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        self.server.owner.record(request)
        route = self.server.owner.routes.get(path)
        if route is None:
            route = Response(404, {"Content-Type": "text/plain"}, b"no such route")
        if not isinstance(route, Response | Behaviour):
            route = route(request)
        if isinstance(route, Behaviour):
            route.run(Connection(self, self.server.owner.stop))
            return
        self.send_response(route.status)
        headers = {"Content-Length": str(len(route.body)), **route.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(route.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _KeepAliveHandler(_Handler):
    """HTTP/1.1: the connection stays open for the next request, as real feed hosts do."""

    protocol_version = "HTTP/1.1"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: HTTPServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-answer is what half these tests are about: stay quiet."""


class HTTPServer:
    """Runs on 127.0.0.1 in a background thread until `close()`.

    `keep_alive`: answer HTTP/1.1 and keep connections open (only for plain `Response`
    routes: a misbehaving route ends its answer by closing the connection).
    `host`: another loopback address (127.0.0.2) plays a second host, e.g. for the checks on
    which addresses a page fetch may reach. Never anything but loopback.
    """

    def __init__(self, *, keep_alive: bool = False, host: str = "127.0.0.1") -> None:
        assert host.startswith("127."), "test servers listen on loopback only"
        self.host = host
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.connections = 0
        """TCP connections accepted so far."""
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server((host, 0), _KeepAliveHandler if keep_alive else _Handler)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, route: Route) -> str:
        """Register `route` at `path`; returns its full URL."""
        self.routes[path] = route
        return self.url(path)

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def count_connection(self) -> None:
        with self._lock:
            self.connections += 1

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    def reset(self) -> None:
        """Forget routes and requests, and release handlers still hanging from the last test."""
        self.stop.set()
        self.stop = threading.Event()
        self.routes = {}
        with self._lock:
            self.requests = []

    def close(self) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
