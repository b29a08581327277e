"""The protocol's conversation over a Connection (PROTOCOL.md §2 and §5): the hellos, then
pushes and pulls, one request at a time, each reply read to its end.

Every server message is checked for the fields this client relies on, with their types, so
a server that breaks the spec is a ProtocolError naming what was wrong, never a KeyError deep
in the store code. Unknown keys are ignored (§3).
"""

from dataclasses import dataclass

from .connection import Connection
from .errors import ProtocolError, RefusedError, UnreachableError, WrongServerError
from .fields import CONFLICT_FIELDS, DELETED, ENTITIES, record_id

PROTOCOL_VERSION = 3
SCHEMA_VERSION = 1
# The limits a protocol 3 server leaves out of its hello when they have these values (§5.2, §7).
DEFAULT_LIMITS = {"max_line_bytes": 4194304, "max_batch_changes": 1000, "max_inflate_ratio": 100,
                  "inflate_grace_bytes": 1048576, "idle_seconds": 60}
# The columns of positional `changes` rows (§5.4), schema 1: a row names its fields by index.
WIRE_COLUMNS = {name: tuple(fields) + (DELETED,) for name, fields in ENTITIES.items()}
WIRE_COLUMNS["conflicts"] = CONFLICT_FIELDS
OUTCOMES = ("accepted", "equal", "conflict", "duplicate")
# The longest line this client accepts: at least what the server announces (§5.4), and room for
# a push_ack, which the server does not keep under its own limit: each result carries the
# field's current value (up to 16 000 bytes of text), so a push of 500 changes may be answered
# with 8 MB. More than the cap, whatever a server announces, is a runaway.
MIN_LINE_BYTES = 16 * 1024 * 1024
MAX_LINE_BYTES_CAP = 64 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The limits a server announces in its hello (§5.2, §7)."""

    max_line_bytes: int
    max_batch_changes: int
    max_inflate_ratio: int
    inflate_grace_bytes: int
    idle_seconds: int


@dataclass(frozen=True)
class ServerHello:
    server_identity: str
    role: str
    compression: str
    high_water: int
    limits: Limits


@dataclass(frozen=True)
class PulledField:
    """A field's value and version, as pull and push acknowledgements carry it (§5.4)."""

    value: object
    seq: int
    hlc: int
    replica_id: str
    analyst: str


@dataclass(frozen=True)
class PulledRow:
    entity: str
    id: str
    fields: dict


@dataclass(frozen=True)
class PushResult:
    local_seq: int
    outcome: str
    seq: object
    conflict_id: object
    current: object


def server_error(message):
    """The exception for a server's `error` message (§5.5)."""
    code = message.get("code") if isinstance(message.get("code"), str) else "?"
    text = message.get("message") if isinstance(message.get("message"), str) else ""
    if code in ("unauthorized", "forbidden"):
        return RefusedError(code, f"the server refused the token ({code}): {text}")
    if code == "wrong-server":
        return WrongServerError("this file last synced with another server database; pull into a new file to start over with this one")
    if code in ("too-many-connections", "shutting-down", "idle-timeout"):
        return UnreachableError(f"the server closed the connection ({code}): {text}; run the command again")
    return ProtocolError(code, f"the server reported a protocol error ({code}): {text}")


class Session:
    """A connection past its hellos. Use `Session.open`, then `push` and `pull`."""

    def __init__(self, connection, hello):
        self.connection = connection
        self.hello = hello

    @classmethod
    def open(cls, server, *, token, replica_id, analyst, server_identity=None, deflate=True, timeout=10.0):
        connection = Connection.open(server, timeout=timeout)
        try:
            connection.send({
                "type": "hello", "protocol": PROTOCOL_VERSION, "schema": SCHEMA_VERSION, "token": token,
                "replica_id": replica_id, "analyst": analyst, "server_identity": server_identity,
                "compression": ["deflate", "none"] if deflate else ["none"],
            })
            hello = parse_server_hello(expect(connection.receive(), "hello"), deflate, named=server_identity)
            connection.max_line_bytes = min(max(hello.limits.max_line_bytes, MIN_LINE_BYTES), MAX_LINE_BYTES_CAP)
            if hello.compression == "deflate":
                connection.start_compression()
            return cls(connection, hello)
        except BaseException:
            connection.close()
            raise

    def push(self, changes):
        """Sends one batch and returns its results, checked (§5.3)."""
        self.connection.send({"type": "push", "changes": changes})
        ack = expect(self.connection.receive(), "push_ack")
        results = ack.get("results")
        if not isinstance(results, list):
            raise _bad("push_ack", "results")
        return [parse_result(result) for result in results]

    def pull(self, cursor, limit):
        """Yields (rows, cursor) per `changes` batch until `pull_end` (§5.4)."""
        self.connection.send({"type": "pull", "cursor": cursor, "limit": limit})
        while True:
            message = self.connection.receive()
            kind = message["type"]
            if kind == "pull_end":
                _integer(message, "cursor", "pull_end")
                return
            batch = expect(message, "changes")
            rows = batch.get("rows")
            if not isinstance(rows, list):
                raise _bad("changes", "rows")
            parsed = parse_positional_rows(rows, batch["writers"]) if "writers" in batch else [parse_row(row) for row in rows]
            yield parsed, _integer(batch, "cursor", "changes")

    def close(self):
        self.connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


def expect(message, kind):
    """`message` if it is of type `kind`; the server's error, or a ProtocolError, if not."""
    if message["type"] == "error":
        raise server_error(message)
    if message["type"] != kind:
        raise ProtocolError("bad-message", f"expected {kind} from the server, got {message['type']}")
    return message


def parse_server_hello(message, deflate, named=None):
    """The server's hello. Since protocol 2 it leaves out the identity the client's hello
    `named` (PROTOCOL.md §5.2): that same identity is the server's; since 3, the limits that
    have their defaults."""
    limits = message.get("limits", {})
    if not isinstance(limits, dict):
        raise _bad("hello", "limits")
    limits = {**DEFAULT_LIMITS, **limits}
    if message.get("protocol") != PROTOCOL_VERSION or message.get("schema") != SCHEMA_VERSION:
        raise ProtocolError("unsupported-protocol", f"the server speaks protocol {message.get('protocol')} schema {message.get('schema')}, not {PROTOCOL_VERSION} and {SCHEMA_VERSION}")
    compression = message.get("compression")
    if compression not in (("deflate", "none") if deflate else ("none",)):
        raise ProtocolError("bad-message", f"the server chose a compression that was not offered: {compression!r}")
    identity = message.get("server_identity", named)
    if not isinstance(identity, str) or not identity:
        raise _bad("hello", "server_identity")
    return ServerHello(
        server_identity=identity, role=_string(message, "role", "hello"), compression=compression,
        high_water=_integer(message, "high_water", "hello"),
        limits=Limits(**{name: _integer(limits, name, "hello", minimum=1) for name in Limits.__dataclass_fields__}),
    )


def parse_row(row):
    if not isinstance(row, dict) or not isinstance(row.get("fields"), dict):
        raise _bad("changes", "rows")
    fields = {name: parse_field(field, "changes") for name, field in row["fields"].items()}
    row_id = record_id(row.get("id"))
    if row_id is None:
        raise _bad("changes", "id")
    return PulledRow(entity=_string(row, "entity", "changes"), id=row_id, fields=fields)


def parse_positional_rows(rows, writers):
    """The rows of a protocol 3 batch (§5.4): fields by column index, each `seq` a difference
    from the field before it in the batch, one time and writer a row (left out when the same
    as the row before) with exceptions in `versions`, the writers in a table."""
    if not isinstance(writers, list) or not all(
            isinstance(writer, list) and len(writer) == 2 and all(isinstance(part, str) for part in writer) for writer in writers):
        raise _bad("changes", "writers")
    entity = hlc = writer = None
    seq = 0
    parsed = []
    for row in rows:
        if not isinstance(row, dict):
            raise _bad("changes", "rows")
        if "entity" in row:
            entity = _string(row, "entity", "changes")
        if "hlc" in row:
            hlc = _integer(row, "hlc", "changes")
        if "writer" in row:
            writer = _writer(row["writer"], writers)
        columns = WIRE_COLUMNS.get(entity)
        if columns is None or hlc is None or writer is None:
            raise _bad("changes", "entity, hlc or writer")
        indexes, values, seqs = row.get("fields"), row.get("values"), row.get("seqs")
        if not all(isinstance(part, list) for part in (indexes, values, seqs)) or not indexes \
                or not len(indexes) == len(values) == len(seqs):
            raise _bad("changes", "fields")
        last = -1
        for index in indexes:
            if _not_integer(index) or not last < index < len(columns):
                raise _bad("changes", "fields")
            last = index
        versions = [(hlc, writer)] * len(indexes)
        exceptions = row.get("versions", [])
        if not isinstance(exceptions, list):
            raise _bad("changes", "versions")
        for exception in exceptions:
            if not isinstance(exception, list) or len(exception) != 3 or _not_integer(exception[0]) \
                    or not 0 <= exception[0] < len(indexes) or _not_integer(exception[1]) or exception[1] < 0:
                raise _bad("changes", "versions")
            versions[exception[0]] = (exception[1], _writer(exception[2], writers))
        fields = {}
        for index, value, delta, (time, author) in zip(indexes, values, seqs, versions):
            if _not_integer(delta) or seq + delta < 0:
                raise _bad("changes", "seqs")
            seq += delta
            if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
                raise _bad("changes", "values")
            fields[columns[index]] = PulledField(value=value, seq=seq, hlc=time, replica_id=writers[author][0],
                                                 analyst=writers[author][1])
        row_id = record_id(row.get("id"))
        if row_id is None:
            raise _bad("changes", "id")
        parsed.append(PulledRow(entity=entity, id=row_id, fields=fields))
    return parsed


def _writer(number, writers):
    if _not_integer(number) or not 0 <= number < len(writers):
        raise _bad("changes", "writer")
    return number


def parse_field(field, where):
    if not isinstance(field, dict) or "value" not in field:
        raise _bad(where, "value")
    value = field["value"]
    if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
        raise _bad(where, "value")
    return PulledField(value=value, seq=_integer(field, "seq", where), hlc=_integer(field, "hlc", where),
                       replica_id=_string(field, "replica_id", where), analyst=_string(field, "analyst", where))


def parse_result(result):
    if not isinstance(result, dict) or result.get("outcome") not in OUTCOMES:
        raise _bad("push_ack", "outcome")
    current = result.get("current")
    seq = result.get("seq")
    conflict_id = result.get("conflict_id")
    if (seq is not None and _not_integer(seq)) or (conflict_id is not None and not isinstance(conflict_id, str)):
        raise _bad("push_ack", "seq or conflict_id")
    return PushResult(local_seq=_integer(result, "local_seq", "push_ack"), outcome=result["outcome"], seq=seq,
                      conflict_id=conflict_id, current=None if current is None else parse_field(current, "push_ack"))


def _integer(obj, key, where, minimum=0):
    value = obj.get(key)
    if _not_integer(value) or value < minimum:
        raise _bad(where, key)
    return value


def _not_integer(value):
    return isinstance(value, bool) or not isinstance(value, int)


def _string(obj, key, where):
    value = obj.get(key)
    if not isinstance(value, str):
        raise _bad(where, key)
    return value


def _bad(where, key):
    return ProtocolError("bad-message", f"the server's {where} message lacks a valid {key}")

