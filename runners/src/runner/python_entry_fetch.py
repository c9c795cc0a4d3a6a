"""httpRef code for ``python_entry.py``: one plain GET, or ``None`` for the runner to fetch it.

Only what needs none of the runner's fetch steps is taken here: a URL with no user info, query,
fragment (pin), escape or dot segment, already in the form WHATWG's parser gives back (so the
runner would show it unchanged), and no proxy (checked by the caller); one attempt, answered with
200 and a body framed by Content-Length or chunks (never one that only the connection's end
ends: a cut connection would pass for it) that passes the runner's ``checkBody`` (not empty,
UTF-8, not only white space, not an HTML page) within its 5 MiB; over https, only with the
system's trust store (no SSL_CERT_FILE, SSL_CERT_DIR, DENO_CERT or DENO_TLS_CA_STORE, which the
two runtimes read differently). Anything else (a redirect, an error status, a timeout, a refused
connection, a header that does not parse) is ``None``: the runner then fetches with its
retries, redirect rules and words. Raw sockets rather than ``http.client``, which loads the
``email`` package (~30 ms of a start).
"""

import os
import re
import signal
import socket
import time

from python_entry_checks import JOB_SIGNALS, MAX_CODE_BYTES, NotRun, js_trim

#: A URL as WHATWG's parser writes it back unchanged: lower-case scheme and host, a path of
#: plain segments, no user info, port 80/443, query, fragment, escape or dot segment.
_PLAIN_URL = re.compile(
    r"(https?)://([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)"
    r"(?::([1-9][0-9]{0,4}))?((?:/(?!\.\.?(?:/|$))[A-Za-z0-9._~-]*)+)"
)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")
_DIGITS = re.compile(r"[0-9]{1,10}")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")
#: The whole exchange, after which the runner takes over (it has a minute, and retries).
_ATTEMPT_S = 10.0
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Where each runtime finds trusted certificates besides its own store.
_TRUST_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "DENO_CERT", "DENO_TLS_CA_STORE")
_MAX_HEAD_BYTES = 64 * 1024


def fetch_plain(url: str, environ):  # type: ignore[no-untyped-def]
    """Fetches plain httpRef code into a scratch folder: ``(path, source)``, or ``None``.

    Raises:
        NotRun: a stop signal arrived meanwhile (as the runner's fetch aborts, nothing runs).
    """
    match = _PLAIN_URL.fullmatch(url)
    if match is None:
        return None
    scheme, host, port, path = match.groups()
    last = host.rsplit(".", 1)[-1]
    if (last[0].isdigit() or last.startswith("0x")) and _IPV4.fullmatch(host) is None:
        return None
    if scheme == "https" and any(name in environ for name in _TRUST_VARIABLES):
        return None
    if port is not None and (int(port) > 65535 or int(port) == _DEFAULT_PORTS[scheme]):
        return None
    previous = {number: signal.getsignal(number) for number in JOB_SIGNALS}

    def stop(number, _frame):  # type: ignore[no-untyped-def]
        raise NotRun(number)

    for number in JOB_SIGNALS:
        signal.signal(number, stop)
    try:
        body = _get(scheme, host, None if port is None else int(port), path)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    code = _checked_code(body)
    if code is None:
        return None
    # As Deno.makeTempDir makes the runner's: only this user may enter it.
    folder = os.path.join(environ.get("TMPDIR", "/tmp"), "keptn-task-" + os.urandom(6).hex())
    os.mkdir(folder, 0o700)
    name = url.rsplit("/", 1)[-1]
    extension = name[name.rfind(".") :] if name.lower().endswith(".py") else ".py"
    file_path = os.path.join(folder, "function" + extension)
    with open(file_path, "wb") as file:
        file.write(code.encode("utf-8"))
    return file_path, url


def _get(scheme: str, host: str, port, path: str):  # type: ignore[no-untyped-def]
    """The body of a 200 answer to one GET (``port``: ``None`` for the scheme's), or ``None``."""
    deadline = time.monotonic() + _ATTEMPT_S
    try:
        address = (host, _DEFAULT_PORTS[scheme] if port is None else port)
        sock = socket.create_connection(address, timeout=_ATTEMPT_S)
    except (OSError, ValueError):
        # ValueError: UnicodeError of a host name the IDNA codec refuses.
        return None
    try:
        if scheme == "https":
            import ssl

            # A TLS end without close_notify is an error, not the end of the body.
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=host, suppress_ragged_eofs=False)
        authority = host if port is None else f"{host}:{port}"
        request = f"GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        sock.sendall(request.encode("ascii"))
        return _response_body(_Reader(sock, deadline))
    except (OSError, ValueError):
        return None
    finally:
        sock.close()


class _Reader:
    """Bytes from the socket, within the attempt's deadline and the size limit."""

    def __init__(self, sock, deadline: float) -> None:  # type: ignore[no-untyped-def]
        self.sock = sock
        self.deadline = deadline
        self.data = b""

    def more(self) -> bool:
        """Reads what comes next; False at the end of the stream."""
        left = self.deadline - time.monotonic()
        if left <= 0 or len(self.data) > MAX_CODE_BYTES + _MAX_HEAD_BYTES:
            raise ValueError("too slow or too large")
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        self.data += chunk
        return chunk != b""


def _response_body(reader: _Reader):  # type: ignore[no-untyped-def]
    """The body of an ``HTTP/1.x 200`` response framed by Content-Length or chunks, or ``None``.

    A body that only the end of the connection ends is not taken: a cut connection would pass
    for its end (the runner's fetch tells the two apart over TLS).
    """
    while b"\r\n\r\n" not in reader.data:
        if len(reader.data) > _MAX_HEAD_BYTES or not reader.more():
            return None
    head, _, rest = reader.data.partition(b"\r\n\r\n")
    headers = _headers(head)
    if headers is None:
        return None
    if headers.get("transfer-encoding", "").lower() == "chunked" and "content-length" not in headers:
        while (body := _unchunked(reader.data[len(head) + 4 :])) is None:
            if not reader.more():
                return None
        return body
    length = headers.get("content-length")
    if "transfer-encoding" in headers or length is None or _DIGITS.fullmatch(length) is None:
        return None
    size = int(length)
    if size > MAX_CODE_BYTES:
        return None
    while len(reader.data) - len(head) - 4 < size:
        if not reader.more():
            return None
    return reader.data[len(head) + 4 : len(head) + 4 + size]


def _headers(head: bytes):  # type: ignore[no-untyped-def]
    """The headers of a ``200`` status, names in lower case; ``None`` for anything else."""
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ")
    if len(status) < 2 or status[0] not in ("HTTP/1.1", "HTTP/1.0") or status[1] != "200":
        return None
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        key = name.lower()
        # A token, as RFC 9110 writes a field name: no space before the colon, no folding.
        if not colon or _TOKEN.fullmatch(key) is None or key in headers:
            return None
        headers[key] = value.strip(" \t")
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml") or "content-encoding" in headers:
        return None
    return headers


def _unchunked(body: bytes):  # type: ignore[no-untyped-def]
    """A chunked body decoded, or ``None`` when it does not parse to its last chunk."""
    out = []
    at = 0
    while True:
        end = body.find(b"\r\n", at)
        if end < 0:
            return None
        size_text = body[at:end].split(b";")[0].strip()
        if not size_text or any(c not in b"0123456789abcdefABCDEF" for c in size_text):
            return None
        size = int(size_text, 16)
        if size == 0:
            return b"".join(out)
        start = end + 2
        if body[start + size : start + size + 2] != b"\r\n":
            return None
        out.append(body[start : start + size])
        at = start + size + 2


def _checked_code(body):  # type: ignore[no-untyped-def]
    """The code, when the body passes the runner's ``checkBody``; else ``None``."""
    if body is None or len(body) == 0 or len(body) > MAX_CODE_BYTES:
        return None
    try:
        code = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # As TextDecoder reads it: a byte order mark is not part of the text.
    if code.startswith("\ufeff"):
        code = code[1:]
    start = js_trim(code)[:14].lower()
    if js_trim(code) == "" or start.startswith(("<!doctype html", "<html")):
        return None
    return code
