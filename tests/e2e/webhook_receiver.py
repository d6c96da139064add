"""A real HTTP receiver for webhook deliveries, on loopback: records every request (method, path,
headers, body, arrival time) and answers with scripted status codes (then 200)."""

import http.server
import threading
import time


class Delivery:
    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers      # dict, header names lower-cased
        self.body = body            # bytes
        self.at = time.time()

    def json(self):
        import json
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self, port: int = 0):
        self.deliveries: list[Delivery] = []
        self.script: list[int] = []   # statuses to answer with, in order; 200 once empty
        self.cond = threading.Condition()
        self._port = port
        self.server = None
        self.thread = None

    def start(self) -> "WebhookReceiver":
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Keep-alive with two writes per reply (head, body) would otherwise wait for the
            # client's delayed ACK (Nagle): about 40 ms per delivery.
            disable_nagle_algorithm = True

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with outer.cond:
                    status = outer.script.pop(0) if outer.script else 200
                    outer.deliveries.append(Delivery("POST", self.path,
                                                     {k.lower(): v for k, v in self.headers.items()}, body))
                    outer.cond.notify_all()
                reply = b"ok" if status < 300 else b"failing on purpose"
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self.server.daemon_threads = True
        self._port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def port(self) -> int:
        return self._port

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self._port}{path}"

    def wait_for(self, n: int, timeout: float = 15.0, path: str | None = None) -> list[Delivery]:
        """Waits until at least n deliveries (to `path`, if given) arrived; returns them."""
        deadline = time.time() + timeout
        with self.cond:
            while True:
                got = [d for d in self.deliveries if path is None or d.path == path]
                if len(got) >= n:
                    return got
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(f"expected {n} deliveries{' to ' + path if path else ''}, got {len(got)}")
                self.cond.wait(left)

    def of(self, path: str) -> list[Delivery]:
        with self.cond:
            return [d for d in self.deliveries if d.path == path]
