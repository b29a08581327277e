"""Every transcript of Protocol/examples replayed against a real server through this client's
connection code (framing, JSON codec, socket), as Tests/SyncServerTests/TranscriptTests.swift
replays them for the Swift side.

`Cn:` lines are sent as they are on connection n; `Sn:` lines must equal, as JSON, what the
server answers there (`$ANY` matches any value, `$SERVER_IDENTITY` the store's identity);
`Sn: <closed>` means the server closed connection n. `$TOKEN_ALICE` and `$TOKEN_BOB` stand for
editor tokens; a `# limits: max_line_bytes=N` header starts the server with that limit.
"""

import json
import re
import tempfile
import unittest
from pathlib import Path

from accordpy.connection import Connection
from tests.support import REPO, RunningServer

EXAMPLES = REPO / "Protocol" / "examples"
LINE = re.compile(r"^([CS])(\d+): (.*)$")


def matches(expected, actual, identity):
    """Whether `actual` is `expected` with its placeholders filled in; exact otherwise."""
    if expected == "$ANY":
        return True
    if expected == "$SERVER_IDENTITY":
        return actual == identity
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and expected.keys() == actual.keys()
                and all(matches(value, actual[key], identity) for key, value in expected.items()))
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(expected) == len(actual)
                and all(matches(e, a, identity) for e, a in zip(expected, actual)))
    # JSON has one number type; bool is not a number here (True == 1 in Python).
    return type(expected) is type(actual) and expected == actual


class TranscriptTests(unittest.TestCase):
    def test_the_examples_directory_holds_the_transcripts_the_spec_names(self):
        spec = (REPO / "Protocol" / "PROTOCOL.md").read_text()
        named = sorted(set(re.findall(r"`([a-z-]+\.txt)`", spec)))
        self.assertEqual(named, sorted(path.name for path in EXAMPLES.glob("*.txt")))
        self.assertGreaterEqual(len(named), 4)

    def test_each_transcript_replays_exactly_against_the_server(self):
        for path in sorted(EXAMPLES.glob("*.txt")):
            with self.subTest(transcript=path.name):
                self.replay(path)

    def replay(self, path):
        text = path.read_text(encoding="utf-8")
        limit = re.search(r"^# limits: max_line_bytes=(\d+)$", text, re.MULTILINE)
        with tempfile.TemporaryDirectory(prefix="accord-transcript-") as directory:
            server = RunningServer(directory, max_line_bytes=int(limit.group(1)) if limit else None)
            connections = {}
            try:
                tokens = {"$TOKEN_ALICE": server.token("alice"), "$TOKEN_BOB": server.token("bob")}
                identity = server.identity()
                exchanged = 0
                for number, line in enumerate(text.splitlines(), start=1):
                    if not line or line.startswith("#"):
                        continue
                    where = f"{path.name}:{number}"
                    parsed = LINE.match(line)
                    self.assertIsNotNone(parsed, f"{where}: not a transcript line")
                    side, connection_number, payload = parsed.groups()
                    if connection_number not in connections:
                        connections[connection_number] = Connection.open(server.address, timeout=10)
                    connection = connections[connection_number]
                    if side == "C":
                        for placeholder, token in tokens.items():
                            payload = payload.replace(placeholder, token)
                        payload = payload.replace("$SERVER_IDENTITY", identity)
                        connection.send_line(payload)
                    elif payload == "<closed>":
                        self.assertTrue(connection.is_closed(), f"{where}: the server should have closed the connection")
                    else:
                        actual = connection.receive()
                        self.assertTrue(matches(json.loads(payload), actual, identity), f"{where}: got {json.dumps(actual)}")
                    exchanged += 1
                self.assertGreater(exchanged, 0, f"{path.name} holds no exchange")
            finally:
                for connection in connections.values():
                    connection.close()
                self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
