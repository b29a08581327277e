"""accord_client.py as a command: its output, and each failure as one `error:` line on stderr
with the exit status `accord sync` uses."""

import json
import socket
import threading

from tests.support import RunningServer, ServerTestCase

UK = "01980c01-5eed-7000-8000-000000000001"


class CommandTests(ServerTestCase):
    sample = True

    def setUp(self):
        super().setUp()
        self.token = self.server.token("alice")
        self.db = str(self.dir / "alice.db")

    def assertFails(self, result, status, words):
        self.assertEqual(result.returncode, status, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
        self.assertTrue(result.stderr.startswith("error: "), result.stderr)
        self.assertIn(words, result.stderr)

    def test_pull_clones_then_pulls_nothing_new_with_the_server_remembered(self):
        first = self.script("pull", "--server", self.server.address, "--token", self.token, "--db", self.db)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertRegex(first.stdout, r"^cloned \d{3} fields in 1 batches \(cursor \d+, deflate\)\n$")
        again = self.command("pull", "--db", self.db)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertRegex(again.stdout, r"^pulled 0 fields in 0 batches")

    def test_a_refused_token_exits_77(self):
        result = self.script("pull", "--server", self.server.address, "--token", "acc_not-a-real-token", "--db", self.db)
        self.assertFails(result, 77, "unauthorized")

    def test_an_unreachable_server_exits_69(self):
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            address = "127.0.0.1:%d" % unused.getsockname()[1]
        self.assertFails(self.command("pull", "--server", address, "--token", self.token, "--db", self.db), 69, "cannot reach")

    def test_a_server_that_breaks_the_protocol_exits_76(self):
        listener = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(listener.close)

        def answer_nonsense():
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        threading.Thread(target=answer_nonsense, daemon=True).start()
        address = "127.0.0.1:%d" % listener.getsockname()[1]
        self.assertFails(self.command("pull", "--server", address, "--token", self.token, "--db", self.db), 76, "not a JSON object")

    def test_a_file_bound_to_another_server_database_exits_78(self):
        self.assertEqual(self.command("pull", "--server", self.server.address, "--token", self.token, "--db", self.db).returncode, 0)
        (self.dir / "other").mkdir()
        other = RunningServer(self.dir / "other")  # another store: another identity
        try:
            result = self.command("pull", "--server", other.address, "--token", other.token("alice"), "--db", self.db)
        finally:
            self.assertEqual(other.stop(), 0)
        self.assertFails(result, 78, "another server database")

    def test_usage_errors_and_a_missing_server_exit_64(self):
        self.assertFails(self.command("pull"), 64, "--db")
        self.assertFails(self.command("frobnicate", "--db", self.db), 64, "invalid choice")
        self.assertFails(self.command("pull", "--db", self.db), 64, "no server")

    def test_push_before_any_pull_exits_66(self):
        self.assertFails(self.command("push", "--db", self.db), 66, "pull into it first")

    def test_a_bad_csv_row_exits_65_and_records_nothing(self):
        self.command("pull", "--server", self.server.address, "--token", self.token, "--db", self.db)
        rows = self.dir / "rows.csv"
        rows.write_text(f"id,status\n{UK},delivered\n{UK[:-1]}9,finished\n", encoding="utf-8")
        self.assertFails(self.command("push", "--db", self.db, "--csv", str(rows)), 65, "line 3: status")
        listed = self.command("conflicts", "--db", self.db, "--format", "json")
        self.assertEqual(json.loads(listed.stdout), [])
        push = self.command("push", "--db", self.db)
        self.assertIn("pushed 0 changes", push.stdout, "the good first row was not recorded either")

    def test_push_reports_a_conflict_and_conflicts_lists_it(self):
        bob = self.client("bob")
        bob.pull()
        self.command("pull", "--server", self.server.address, "--token", self.token, "--db", self.db, "--analyst", "alice")
        bob.edit(UK, status="pledged")
        bob.push()
        rows = self.dir / "rows.csv"
        rows.write_text(f"id,status\n{UK},delivered\n", encoding="utf-8")
        push = self.command("push", "--db", self.db, "--csv", str(rows))
        self.assertEqual(push.returncode, 0, push.stderr)
        self.assertIn("1 conflicts", push.stdout)
        self.assertRegex(push.stdout, r"conflict \S+ commitments 01980c01-5eed status: yours delivered, yours stands")
        table = self.command("conflicts", "--db", self.db)
        self.assertEqual(len(table.stdout.splitlines()), 2)
        self.assertEqual(table.stdout.splitlines()[1].split("\t")[3:], ["status", "delivered", "alice", "pledged", "bob"])
