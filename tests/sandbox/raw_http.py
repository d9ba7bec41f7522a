"""One HTTPS request over a plain TLS socket, answering the header lines exactly as they came off the
wire: what a client that copies headers into a case-sensitive dict sees."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]  # (name as sent, value), in order
    body: bytes

    def names(self) -> list[str]:
        return [name for name, _ in self.headers]

    def header(self, name: str) -> str:
        """The value of the header spelled exactly `name` (case-sensitive, like a plain dict)."""
        return dict(self.headers)[name]


def raw_request(base_url: str, ca_file: str, method: str, path: str, token: str | None = None,
                body: bytes = b"", content_type: str = "application/json") -> RawResponse:
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 443
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
             f"Content-Length: {len(body)}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body:
        lines.append(f"Content-Type: {content_type}")
    context = ssl.create_default_context(cafile=ca_file)
    with (socket.create_connection((host, port), timeout=10) as plain,
          context.wrap_socket(plain, server_hostname=host) as tls):
        tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        received = b""
        while chunk := tls.recv(65536):
            received += chunk
    head, _, rest = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = [(name, value.strip()) for name, _, value in (line.partition(":") for line in header_lines)]
    return RawResponse(int(status_line.split()[1]), headers, rest)
