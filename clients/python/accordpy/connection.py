"""One TCP connection to an Accord server, speaking newline JSON with deflate once agreed.

It knows framing, compression and the socket, not what messages mean: `send`/`receive` move
JSON objects, `send_line` moves a line exactly as given (the transcript tests replay raw lines
through it). A closed or silent socket is an UnreachableError: running the command again resumes.
"""

import socket

from .errors import UnreachableError, UsageError
from .wire import DEFAULT_MAX_LINE_BYTES, Inflater, LineReader, LineWriter, decode_message, encode_message

RECEIVE_BYTES = 64 * 1024


def parse_address(server):
    """(host, port) of `HOST:PORT` (or `[IPv6]:PORT`), or a UsageError."""
    host, colon, port = (server or "").rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"the server must be HOST:PORT, not {server!r}")
    return host, int(port)


class ConnectionClosed(UnreachableError):
    """The server closed the connection where a message was expected."""


class Connection:
    """A connected socket with a line reader and writer (see the module docstring)."""

    def __init__(self, sock, server, max_line_bytes=DEFAULT_MAX_LINE_BYTES):
        self._socket = sock
        self.server = server
        self._reader = LineReader(max_line_bytes)
        self._writer = LineWriter()
        self._eof = False

    @classmethod
    def open(cls, server, timeout=10.0, max_line_bytes=DEFAULT_MAX_LINE_BYTES):
        """Connects to `HOST:PORT`; every later read or write waits at most `timeout` seconds."""
        host, port = parse_address(server)
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except OSError:
            raise UnreachableError(f"cannot reach the server at {server}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock, server, max_line_bytes)

    @property
    def max_line_bytes(self):
        return self._reader.max_line_bytes

    @max_line_bytes.setter
    def max_line_bytes(self, value):
        self._reader.max_line_bytes = value

    def start_compression(self, inflater=None):
        """From the next byte on, both directions are raw DEFLATE streams (§4)."""
        self._writer.start_deflating()
        self._reader.start_inflating(inflater or Inflater())

    def send(self, message):
        self._send_bytes(self._writer.encode(encode_message(message)))

    def send_line(self, text):
        """Sends `text` (str or bytes, without its newline) exactly as given, plus `\\n`."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        self._send_bytes(self._writer.encode(data + b"\n"))

    def receive(self):
        """The next message as a dict (an `error` message too); ConnectionClosed at the end."""
        return decode_message(self.receive_line())

    def receive_line(self):
        while True:
            line = self._reader.next_line()
            if line is not None:
                return line
            if self._eof or not self._fill():
                raise ConnectionClosed(f"the server at {self.server} closed the connection; run the command again to finish")

    def is_closed(self):
        """True when the server has closed the connection with nothing more to say; a line
        that arrives instead is read (and dropped) and the answer is False."""
        while self._reader.next_line() is None:
            if self._eof or not self._fill():
                return True
        return False

    def close(self):
        try:
            self._socket.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()

    def _send_bytes(self, data):
        try:
            self._socket.sendall(data)
        except OSError:
            raise UnreachableError(f"the connection to {self.server} broke off; run the command again to finish") from None

    def _fill(self):
        """Reads what the socket has into the reader; False at the end of the stream."""
        try:
            data = self._socket.recv(RECEIVE_BYTES)
        except socket.timeout:
            raise UnreachableError(f"the server at {self.server} stopped answering; run the command again to finish") from None
        except ConnectionResetError:
            data = b""
        except OSError:
            raise UnreachableError(f"the connection to {self.server} broke off; run the command again to finish") from None
        if not data:
            self._eof = True
            return False
        self._reader.feed(data)
        return True
