"""Pull against a real server holding the sample dataset: a clone, incremental pulls, batches
that resume after a cut, and pending local edits left alone."""

import accord_client
from accordpy.store import LocalStore
from tests.support import ServerTestCase, table_rows

TABLES = ("commitments", "meetings")


class Cut(Exception):
    pass


class PullTests(ServerTestCase):
    sample = True

    def test_a_clone_holds_the_same_readable_tables_as_an_accord_replica(self):
        client = self.client("alice")
        report = client.pull()
        swift = self.swift("bob")
        swift.sync()
        self.assertTrue(report.cloned)
        self.assertEqual(report.compression, "deflate")
        self.assertGreater(report.fields, 300)
        for table in TABLES:
            with self.subTest(table=table):
                columns, rows = swift.rows(table)
                self.assertEqual(table_rows(client.store.path, table), (columns, rows))
                self.assertGreater(len(rows), 3)
        # What pandas would read: decimals as exact text, years as integers, tags joined.
        amount, period, tags = client.db.execute(
            "SELECT amount, period_start, tags FROM commitments WHERE id = '01980c02-5eed-7000-8000-000000000002'").fetchone()
        self.assertEqual((amount, period, tags), (None, 2022, "action-plan;uk"))

    def test_an_incremental_pull_brings_only_what_changed_since(self):
        client = self.client("alice")
        first = client.pull()
        self.assertEqual(client.pull().fields, 0, "nothing changed, nothing pulled")
        swift = self.swift("bob")
        swift.sync()
        swift.cli("edit", "01980c01", "--status", "delivered")
        swift.sync()
        second = client.pull()
        self.assertFalse(second.cloned)
        self.assertEqual(second.fields, 2, "the status and the row's alive assertion (§6.2)")
        self.assertGreater(second.cursor, first.cursor)
        self.assertEqual(client.cursor, second.cursor)
        status, analyst = client.db.execute(
            """SELECT c.status, v.analyst FROM commitments c JOIN sync_versions v
               ON v.entity = 'commitments' AND v.row_id = c.id AND v.field = 'status'
               WHERE c.id = '01980c01-5eed-7000-8000-000000000001'""").fetchone()
        self.assertEqual((status, analyst), ("delivered", "bob"))

    def test_a_pull_cut_between_batches_keeps_what_it_applied_and_resumes(self):
        client = self.client("alice")
        client.pull_batch = 50

        def cut(report):
            raise Cut()

        with self.assertRaises(Cut):
            client.pull(progress=cut)
        applied = client.db.execute("SELECT count(*) FROM sync_versions").fetchone()[0]
        self.assertEqual(applied, 50, "the first batch, applied with its cursor")
        self.assertGreater(client.cursor, 0)
        rest = client.pull()
        self.assertFalse(rest.cloned)
        self.assertGreater(rest.batches, 1)
        full = self.client("carol")
        full.pull()
        for table in TABLES:
            self.assertEqual(table_rows(client.store.path, table), table_rows(full.store.path, table))

    def test_an_uncompressed_pull_brings_the_same_rows(self):
        plain = self.client("alice", deflate=False)
        self.assertEqual(plain.pull().compression, "none")
        compressed = self.client("bob")
        compressed.pull()
        for table in TABLES:
            self.assertEqual(table_rows(plain.store.path, table), table_rows(compressed.store.path, table))

    def test_a_field_with_a_pending_local_edit_is_not_overwritten_by_pull(self):
        client = self.client("alice")
        client.pull()
        client.edit("01980c01", notes="alice's note")
        swift = self.swift("bob")
        swift.sync()
        swift.cli("edit", "01980c01", "--note", "bob's note", "--status", "delivered")
        swift.sync()
        report = client.pull()
        self.assertEqual(report.skipped, 1)
        notes, status = client.db.execute(
            "SELECT notes, status FROM commitments WHERE id LIKE '01980c01%'").fetchone()
        self.assertEqual((notes, status), ("alice's note", "delivered"))
        self.assertEqual(client.pending(), 1)

    def test_the_file_remembers_the_server_and_token_once_accepted_and_not_before(self):
        client = self.client("alice")
        client.pull()
        path = client.store.path
        client.close()
        with accord_client.Client(path, token="acc_mistyped") as mistyped, self.assertRaises(accord_client.RefusedError):
            mistyped.pull()
        store = LocalStore(path)
        state = store.state()
        store.close()
        self.assertEqual((state["server"], state["token"]), (self.server.address, self.server.token("alice")))
        self.assertEqual(state["server_identity"], self.server.identity())
        with accord_client.Client(path) as again:
            self.assertEqual(again.pull().fields, 0, "the remembered token still works")
