"""The wire codec with no socket: framing, limits and the per-message sync-flushed DEFLATE."""

import unittest
import zlib

from accordpy.errors import ProtocolError
from accordpy.session import PROTOCOL_VERSION, WIRE_COLUMNS, PulledField, PulledRow, parse_positional_rows, parse_server_hello
from accordpy.wire import SYNC_FLUSH_TRAILER, Deflater, Inflater, LineFramer, LineReader, decode_message, encode_message
from tests.support import REPO

MESSAGES = [{"type": "hello", "text": "£17m to the ASEAN Green Finance Fund"}, {"type": "pull", "cursor": 0, "limit": 1000},
            {"type": "pull_end", "cursor": 57}]


def lines_of(reader):
    lines = []
    while (line := reader.next_line()) is not None:
        lines.append(line)
    return lines


class FramingTests(unittest.TestCase):
    def test_lines_come_out_whole_however_the_bytes_are_split(self):
        data = b"".join(encode_message(message) for message in MESSAGES)
        for size in range(1, len(data) + 1):
            framer, lines = LineFramer(), []
            for start in range(0, len(data), size):
                framer.feed(data[start:start + size])
                lines += lines_of(framer)
            self.assertEqual([decode_message(line) for line in lines], MESSAGES, f"chunks of {size}")

    def test_a_carriage_return_before_the_newline_is_dropped(self):
        framer = LineFramer()
        framer.feed(b'{"type":"pull_end","cursor":1}\r\n')
        self.assertEqual(framer.next_line(), b'{"type":"pull_end","cursor":1}')

    def test_a_line_of_exactly_the_limit_passes_and_one_byte_more_fails(self):
        framer = LineFramer(max_line_bytes=10)
        framer.feed(b"0123456789\n")
        self.assertEqual(framer.next_line(), b"0123456789")
        framer.feed(b"0123456789X\n")
        with self.assertRaises(ProtocolError) as caught:
            framer.next_line()
        self.assertEqual(caught.exception.code, "line-too-long")

    def test_a_line_that_never_ends_fails_as_soon_as_it_passes_the_limit(self):
        framer = LineFramer(max_line_bytes=100)
        framer.feed(b"x" * 100)
        self.assertIsNone(framer.next_line())
        framer.feed(b"x")
        with self.assertRaises(ProtocolError) as caught:
            framer.next_line()
        self.assertEqual(caught.exception.code, "line-too-long")

    def test_a_line_that_is_not_a_json_object_with_a_type_is_bad_json(self):
        for line in (b"[1,2]", b'{"cursor":1}', b'{"type":3}', b"\xff\xfe", b'{"type":"x","n":NaN}', b"{"):
            with self.subTest(line=line), self.assertRaises(ProtocolError) as caught:
                decode_message(line)
            self.assertEqual(caught.exception.code, "bad-json")


class CompressionTests(unittest.TestCase):
    def test_each_message_ends_with_a_sync_flush_and_decodes_before_the_next_arrives(self):
        deflater, reader = Deflater(), LineReader()
        reader.start_inflating()
        for message in MESSAGES:
            compressed = deflater.compress(encode_message(message))
            self.assertTrue(compressed.endswith(SYNC_FLUSH_TRAILER))
            reader.feed(compressed)
            self.assertEqual([decode_message(line) for line in lines_of(reader)], [message])

    def test_the_stream_is_raw_deflate_with_one_window_for_the_connection(self):
        deflater = Deflater()
        line = encode_message(MESSAGES[0])
        first, second = deflater.compress(line), deflater.compress(line)
        self.assertLess(len(second), len(first) // 2, "the second copy should refer back to the first")
        plain = zlib.decompressobj(wbits=-15)  # any RFC 1951 inflater reads it
        self.assertEqual(plain.decompress(first + second), line + line)

    def test_bytes_that_arrived_with_the_hello_are_inflated_after_it(self):
        deflater, reader = Deflater(), LineReader()
        reader.feed(b'{"type":"hello"}\n' + deflater.compress(encode_message(MESSAGES[1])))
        self.assertEqual(decode_message(reader.next_line()), {"type": "hello"})
        reader.start_inflating()
        self.assertEqual([decode_message(line) for line in lines_of(reader)], [MESSAGES[1]])

    def test_a_deflate_bomb_is_refused_long_before_it_is_inflated_whole(self):
        bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
        data = bomb.compress(b"x" * (50 * 1024 * 1024)) + bomb.flush(zlib.Z_SYNC_FLUSH)
        inflater = Inflater(max_ratio=100, grace_bytes=1024 * 1024)
        reader = LineReader(max_line_bytes=1 << 30)  # so that only the ratio can stop it
        reader.start_inflating(inflater)
        with self.assertRaises(ProtocolError) as caught:
            for start in range(0, len(data), 4096):  # as a socket delivers it
                reader.feed(data[start:start + 4096])
                lines_of(reader)
        self.assertEqual(caught.exception.code, "inflate-ratio")
        self.assertLess(inflater.total_in, len(data))
        self.assertLessEqual(inflater.total_out, max(inflater.grace_bytes, 100 * inflater.total_in) + inflater.chunk_bytes)

    def test_corrupt_data_is_bad_compression(self):
        reader = LineReader()
        reader.start_inflating()
        reader.feed(b"\xff" * 64)
        with self.assertRaises(ProtocolError) as caught:
            lines_of(reader)
        self.assertEqual(caught.exception.code, "bad-compression")



class ServerHelloTests(unittest.TestCase):
    LIMITS = {"max_line_bytes": 4194304, "max_batch_changes": 1000, "max_inflate_ratio": 100,
              "inflate_grace_bytes": 1048576, "idle_seconds": 60}

    def hello(self, **fields):
        return {"type": "hello", "protocol": PROTOCOL_VERSION, "schema": 1, "role": "editor", "high_water": 0,
                "compression": "none", "limits": self.LIMITS, **fields}

    def test_the_identity_left_out_is_the_one_the_client_named(self):
        self.assertEqual(PROTOCOL_VERSION, 3)
        self.assertEqual(parse_server_hello(self.hello(), False, named="srv-1").server_identity, "srv-1")
        self.assertEqual(parse_server_hello(self.hello(server_identity="srv-1"), False, named="srv-1").server_identity, "srv-1")
        self.assertEqual(parse_server_hello(self.hello(server_identity="srv-2"), False).server_identity, "srv-2")

    def test_a_clone_needs_the_identity_in_the_hello(self):
        with self.assertRaises(ProtocolError):
            parse_server_hello(self.hello(), False)
        with self.assertRaises(ProtocolError):
            parse_server_hello(self.hello(server_identity=None), False, named="srv-1")

    def test_limits_left_out_have_their_defaults(self):
        hello = self.hello(server_identity="srv-1")
        del hello["limits"]
        self.assertEqual(parse_server_hello(hello, False).limits.max_line_bytes, 4194304)
        hello["limits"] = {"max_batch_changes": 10}
        limits = parse_server_hello(hello, False).limits
        self.assertEqual((limits.max_batch_changes, limits.idle_seconds), (10, 60))
        hello["limits"] = {"idle_seconds": "60"}
        with self.assertRaises(ProtocolError):
            parse_server_hello(hello, False)


class PositionalRowsTests(unittest.TestCase):
    """Protocol 3's `changes` rows: PROTOCOL.md §5.4's example, read by hand."""

    IDS = ["01890a5d-ac96-774b-bcce-b302099a8057", "01890a5d-ac96-774b-bcce-b302099a8058", "01890a5d-ac96-774b-bcce-b302099a8059"]
    WRITERS = [["r-a", "alice"], ["r-b", "bob"]]

    def rows(self):
        return [{"entity": "commitments", "fields": [0, 1, 4, 18], "hlc": 100, "id": self.IDS[0], "seqs": [10, 1, 2, -4],
                 "values": ["T", "P", "5", 0], "writer": 0},
                {"fields": [16, 17, 18], "id": self.IDS[1], "seqs": [12, -1, 2], "values": ["a;b", "n", 0], "versions": [[1, 200, 1]]},
                {"entity": "meetings", "fields": [0], "hlc": 300, "id": self.IDS[2], "seqs": [8], "values": ["M"], "writer": 1}]

    def test_the_columns_are_the_table_of_the_spec(self):
        lines = (REPO / "Protocol" / "PROTOCOL.md").read_text(encoding="utf-8").splitlines()
        start = lines.index("| entity | columns |") + 2
        table = {}
        for line in lines[start:]:
            if not line.startswith("| `"):
                break
            entity, columns = (cell.strip() for cell in line.strip("|").split("|"))
            table[entity.strip("`")] = tuple(name.strip(" `") for name in columns.split(","))
        self.assertEqual(table, WIRE_COLUMNS)

    def test_the_example_reads_as_the_spec_says(self):
        alice = lambda value, seq: PulledField(value, seq, 100, "r-a", "alice")
        self.assertEqual(parse_positional_rows(self.rows(), self.WRITERS), [
            PulledRow("commitments", self.IDS[0], {"title": alice("T", 10), "party": alice("P", 11), "amount": alice("5", 13),
                                                   "deleted": alice(0, 9)}),
            PulledRow("commitments", self.IDS[1], {"tags": alice("a;b", 21), "notes": PulledField("n", 20, 200, "r-b", "bob"),
                                                   "deleted": alice(0, 22)}),
            PulledRow("meetings", self.IDS[2], {"name": PulledField("M", 30, 300, "r-b", "bob")}),
        ])

    def test_a_batch_that_breaks_a_rule_is_a_protocol_error(self):
        breaks = [
            lambda rows: rows[0].update(fields=[1, 0, 4, 18]),     # not increasing
            lambda rows: rows[0].update(fields=[0, 1, 4, 19]),     # past the columns
            lambda rows: rows[0].update(seqs=[10, 1]),             # seqs short
            lambda rows: rows[0].update(fields=[], values=[], seqs=[]),
            lambda rows: rows[0].update(writer=2),                 # no such writer
            lambda rows: rows[0].pop("hlc"),                       # the first row's time
            lambda rows: rows[0].update(entity="pledges"),
            lambda rows: rows[1].update(versions=[[3, 200, 1]]),   # no such position
            lambda rows: rows[1].update(versions=[[1, 200]]),
            lambda rows: rows[2].update(values=[True]),
            lambda rows: rows[0].update(seqs=[-1, 1, 2, -4]),      # a negative sequence
        ]
        for number, breaking in enumerate(breaks):
            rows = self.rows()
            breaking(rows)
            with self.subTest(number=number), self.assertRaises(ProtocolError) as caught:
                parse_positional_rows(rows, self.WRITERS)
            self.assertEqual(caught.exception.code, "bad-message")
        with self.assertRaises(ProtocolError):
            parse_positional_rows(self.rows(), [["r-a"]])


if __name__ == "__main__":
    unittest.main()
