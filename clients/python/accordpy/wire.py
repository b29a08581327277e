"""Framing and compression of the wire (PROTOCOL.md §3 and §4), with no socket.

Bytes in, JSON objects out, and back. Every limit is checked as the bytes arrive, before they
can take memory: a line that grows past `max_line_bytes` fails at once, and inflating happens
one bounded chunk at a time, only when the framer needs more, so a deflate bomb is stopped by
the ratio check long before it is inflated whole.
"""

import json
import zlib

from .errors import ProtocolError

DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024
DEFAULT_GRACE_BYTES = 1024 * 1024
# The server is trusted more than a client: its clone batches compress very well (§5.4).
SERVER_INFLATE_RATIO = 1000
INFLATE_CHUNK_BYTES = 64 * 1024
SYNC_FLUSH_TRAILER = b"\x00\x00\xff\xff"


def encode_message(message):
    """One message as its line: compact UTF-8 JSON and a newline."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8") + b"\n"


def decode_message(line):
    """A line as a JSON object with a string `type`, or a `bad-json` ProtocolError."""
    try:
        message = json.loads(line.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError):
        message = None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError("bad-json", "the server sent a line that is not a JSON object with a string \"type\"")
    return message


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


class LineFramer:
    """Splits bytes into lines at `\\n`, without the newline and a `\\r` before it.

    A line longer than `max_line_bytes` (not counting its newline) is a `line-too-long` error as
    soon as it passes the limit, so a line that never ends cannot grow the buffer.
    """

    def __init__(self, max_line_bytes=DEFAULT_MAX_LINE_BYTES):
        self.max_line_bytes = max_line_bytes
        self._buffer = bytearray()
        self._scanned = 0

    def feed(self, data):
        self._buffer += data

    def next_line(self):
        """The next complete line, or None until more bytes arrive."""
        end = self._buffer.find(b"\n", self._scanned)
        if end < 0:
            self._scanned = len(self._buffer)
            self._check(len(self._buffer))
            return None
        self._check(end)
        line = bytes(self._buffer[:end])
        del self._buffer[:end + 1]
        self._scanned = 0
        return line[:-1] if line.endswith(b"\r") else line

    def take_pending(self):
        """The bytes after the last complete line, removed: they belong to what comes next."""
        pending = bytes(self._buffer)
        self._buffer.clear()
        self._scanned = 0
        return pending

    def _check(self, length):
        if length > self.max_line_bytes:
            raise ProtocolError("line-too-long", f"a line is longer than the limit of {self.max_line_bytes} bytes")


class Inflater:
    """One direction's raw DEFLATE stream (RFC 1951, one window for the whole connection).

    Compressed bytes are added as they arrive; `next_chunk` inflates at most `chunk_bytes` at a
    time. Once more than `grace_bytes` have come out, the output may not exceed `max_ratio` times
    the input (`inflate-ratio`: a deflate bomb).
    """

    def __init__(self, max_ratio=SERVER_INFLATE_RATIO, grace_bytes=DEFAULT_GRACE_BYTES, chunk_bytes=INFLATE_CHUNK_BYTES):
        self._stream = zlib.decompressobj(wbits=-15)
        self._input = b""
        self.max_ratio = max_ratio
        self.grace_bytes = grace_bytes
        self.chunk_bytes = chunk_bytes
        self.total_in = 0
        self.total_out = 0

    def add(self, data):
        self.total_in += len(data)
        self._input += data

    def next_chunk(self):
        """Up to `chunk_bytes` of inflated data; empty when everything received is inflated."""
        try:
            output = self._stream.decompress(self._input, self.chunk_bytes)
        except zlib.error:
            raise ProtocolError("bad-compression", "the server's DEFLATE stream is corrupt") from None
        self._input = self._stream.unconsumed_tail
        if self._stream.eof and self._stream.unused_data:
            raise ProtocolError("bad-compression", "data after the end of the server's DEFLATE stream")
        self.total_out += len(output)
        if self.total_out > self.grace_bytes and self.total_out > self.total_in * self.max_ratio:
            raise ProtocolError("inflate-ratio", f"the server's DEFLATE stream inflates more than {self.max_ratio} times")
        return output


class Deflater:
    """One direction's compressor: each message ends with a sync flush (`00 00 ff ff`), so the
    peer can decode it without waiting for more."""

    def __init__(self, level=6):
        self._stream = zlib.compressobj(level, zlib.DEFLATED, -15)

    def compress(self, data):
        return self._stream.compress(data) + self._stream.flush(zlib.Z_SYNC_FLUSH)


class LineReader:
    """The receiving half of a connection: bytes in, complete lines out, inflating once agreed."""

    def __init__(self, max_line_bytes=DEFAULT_MAX_LINE_BYTES):
        self._framer = LineFramer(max_line_bytes)
        self._inflater = None

    @property
    def max_line_bytes(self):
        return self._framer.max_line_bytes

    @max_line_bytes.setter
    def max_line_bytes(self, value):
        self._framer.max_line_bytes = value

    def feed(self, data):
        if self._inflater is None:
            self._framer.feed(data)
        else:
            self._inflater.add(data)

    def next_line(self):
        """The next complete line, or None until more bytes arrive."""
        while True:
            line = self._framer.next_line()
            if line is not None or self._inflater is None:
                return line
            chunk = self._inflater.next_chunk()
            if not chunk:
                return None
            self._framer.feed(chunk)

    def start_inflating(self, inflater=None):
        """Every byte after the hello line is DEFLATE, including any that already arrived."""
        early = self._framer.take_pending()
        self._inflater = inflater or Inflater()
        self.feed(early)


class LineWriter:
    """The sending half: lines in, bytes for the socket out, deflated once agreed."""

    def __init__(self):
        self._deflater = None

    def start_deflating(self):
        self._deflater = Deflater()

    def encode(self, line):
        return self._deflater.compress(line) if self._deflater else line
