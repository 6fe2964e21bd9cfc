"""A real HTTP receiver on a free loopback port, in a thread, that records every request."""

import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: str
    at: float  # time.time() when the request was read


@dataclass
class Reply:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    delay: float = 0.0


@dataclass
class Receiver:
    url: str
    port: int
    requests: list[Received] = field(default_factory=list)
    reply: Callable[[Received], Reply] = lambda request: Reply()
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, request: Received) -> None:
        with self._lock:
            self.requests.append(request)

    def ids(self) -> list[str]:
        with self._lock:
            return [r.headers["webhook-id"] for r in self.requests]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    receiver: Receiver

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length).decode()
        request = Received(
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            at=time.time(),
        )
        self.receiver.record(request)
        reply = self.receiver.reply(request)
        if reply.delay:
            time.sleep(reply.delay)
        data = reply.body.encode()
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the sender gave up waiting

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def running_receiver(tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1; with ``tls``, it speaks HTTPS with that context."""
    handler: type[_Handler] = type("Handler", (_Handler,), {})
    server_class = type("Server", (ThreadingHTTPServer,), {"request_queue_size": 512})
    server = server_class(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    receiver = Receiver(url=f"{scheme}://127.0.0.1:{port}/hooks", port=port)
    handler.receiver = receiver
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
