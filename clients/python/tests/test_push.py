"""Push against a real server: edits with correct bases, conflicts reported, idempotent
resends, roles and limits."""

import accord_client
from accordpy import session as session_module
from tests.support import ServerTestCase

UK = "01980c01-5eed-7000-8000-000000000001"


def row(client, row_id, columns="status, amount, currency, notes, deleted"):
    return client.db.execute(f"SELECT {columns} FROM commitments WHERE id = ?", (row_id,)).fetchone()


class PushTests(ServerTestCase):
    sample = True

    def setUp(self):
        super().setUp()
        self.alice = self.client("alice")
        self.bob = self.client("bob")
        self.alice.pull()
        self.bob.pull()

    def test_edits_adds_and_deletes_reach_another_analyst(self):
        self.alice.edit(UK[:8], amount="18000000", currency="gbp", status="delivered")
        new = self.alice.add(title="£5m to the ASEAN Catalytic Green Finance Facility", party="United Kingdom",
                             amount="5000000", currency="GBP", tags=["finance", "green"])
        deleted = self.alice.delete("01980c02")
        self.assertEqual(self.alice.pending(), 3 + 5 + 1)
        report = self.alice.push()
        self.assertEqual((report.pushed, report.accepted, report.conflicts), (9, 9, []))
        self.assertEqual(self.alice.pending(), 0)
        self.bob.pull()
        self.assertEqual(row(self.bob, UK), ("delivered", "18000000", "GBP", "Restated by David Lammy later in the article.", 0))
        self.assertEqual(row(self.bob, new, "title, amount, tags, deleted"),
                         ("£5m to the ASEAN Catalytic Green Finance Facility", "5000000", "finance;green", 0))
        self.assertEqual(row(self.bob, deleted, "deleted"), (1,))

    def test_the_base_of_an_edit_is_the_version_last_pulled_so_a_sequel_is_no_conflict(self):
        self.alice.edit(UK, status="pledged")
        self.alice.push()
        self.bob.pull()
        self.bob.edit(UK, status="delivered")
        report = self.bob.push()
        self.assertEqual((report.accepted, report.conflicts), (1, []))

    def test_a_concurrent_edit_of_one_field_is_a_conflict_reported_and_pulled(self):
        self.alice.edit(UK, status="pledged")
        self.alice.push()
        self.bob.edit(UK, status="lapsed")
        report = self.bob.push()
        self.assertEqual(len(report.conflicts), 1)
        conflict = report.conflicts[0]
        self.assertEqual((conflict.row_id, conflict.field, conflict.yours, conflict.yours_stands, conflict.standing_analyst),
                         (UK, "status", "lapsed", True, "bob"), "the later edit stands")
        listed = self.bob.conflicts()
        self.assertEqual([(c.id, c.field, c.standing_value, c.standing_analyst, c.other_value, c.other_analyst, c.status)
                          for c in listed], [(conflict.conflict_id, "status", "lapsed", "bob", "pledged", "alice", "open")])
        self.alice.pull()
        self.assertEqual(row(self.alice, UK)[0], "lapsed")
        self.assertEqual([c.id for c in self.alice.conflicts()], [conflict.conflict_id])

    def test_equal_concurrent_values_are_no_conflict(self):
        self.alice.edit(UK, status="delivered")
        self.alice.push()
        self.bob.edit(UK, status="delivered")
        report = self.bob.push()
        self.assertEqual((report.equal, report.conflicts, self.bob.conflicts()), (1, [], []))

    def test_an_edit_of_a_row_deleted_concurrently_is_a_conflict_on_deleted(self):
        self.alice.delete(UK)
        self.alice.push()
        self.bob.edit(UK, notes="still alive")
        report = self.bob.push()
        self.assertEqual(report.accepted, 1, "the edit itself had the right base")
        self.assertEqual([(c.field, c.yours, c.yours_stands) for c in report.conflicts], [("deleted", 0, True)])
        self.assertEqual(row(self.bob, UK, "notes, deleted"), ("still alive", 0))

    def test_a_batch_whose_acknowledgement_was_lost_is_resent_as_duplicates_and_later_edits_survive(self):
        original = session_module.Session.push

        def lose_the_ack(session, changes):
            original(session, changes)
            raise accord_client.UnreachableError("the connection broke off")

        self.alice.edit(UK, notes="first")
        session_module.Session.push = lose_the_ack
        try:
            with self.assertRaises(accord_client.UnreachableError):
                self.alice.push()
        finally:
            session_module.Session.push = original
        self.alice.edit(UK, notes="second")  # the sent entry is frozen: this one is new
        self.assertEqual(self.alice.pending(), 2)
        report = self.alice.push()
        self.assertEqual((report.duplicate, report.accepted, report.conflicts), (1, 1, []))
        self.bob.pull()
        self.assertEqual(row(self.bob, UK, "notes"), ("second",))

    def test_edits_of_a_file_restored_from_a_copy_are_renumbered_above_the_servers_high_water(self):
        copy = accord_client.Client(self.dir / "alice-copy.db")
        self.addCleanup(copy.close)
        self.alice.db.backup(copy.db)  # the same replica, as a restored backup is
        self.alice.edit(UK, status="delivered")
        self.alice.push()  # the server has now applied local_seq 1 of this replica
        copy.edit(UK, notes="made in the copy")  # local_seq 1 again
        report = copy.push()
        self.assertEqual((report.accepted, report.duplicate), (1, 0), "not taken for the duplicate of the first edit")
        self.bob.pull()
        self.assertEqual(row(self.bob, UK, "status, notes"), ("delivered", "made in the copy"))

    def test_a_push_too_repetitive_for_the_servers_inflate_ratio_is_sent_again_uncompressed(self):
        boilerplate = "中" * 4000  # 12 000 bytes that deflate to almost nothing
        for number in range(100):
            self.alice.add(title=f"row {number}", party="United Kingdom", source_quote=boilerplate)
        report = self.alice.push()
        self.assertEqual((report.accepted, report.conflicts), (300, []))
        self.assertEqual(report.pull.compression, "none", "the compressed push was refused, the retry was plain")
        self.bob.pull()
        self.assertEqual(self.bob.db.execute("SELECT count(*) FROM commitments WHERE source_quote = ?", (boilerplate,)).fetchone(), (100,))

    def test_a_reader_may_pull_but_its_pending_edits_are_refused(self):
        reader = self.client("rita")
        reader.pull()
        reader.edit(UK, status="lapsed")
        with self.assertRaises(accord_client.RefusedError) as caught:
            reader.push()
        self.assertEqual(caught.exception.code, "forbidden")
        self.assertEqual(reader.pending(), 1)
        self.bob.pull()
        self.assertEqual(row(self.bob, UK)[0], "announced")

    def test_bad_values_are_refused_locally_and_nothing_is_recorded(self):
        with self.assertRaises(accord_client.DataError):
            self.alice.edit(UK, amount="about 5 million")
        with self.assertRaises(accord_client.DataError):
            self.alice.add(title="no party")
        with self.assertRaises(accord_client.DataError) as caught:
            self.alice.edit(UK, amount="5000000")
        self.assertIn("currency is required", caught.exception.message)
        with self.assertRaises(accord_client.NotFoundError):
            self.alice.edit("ffffffff", status="lapsed")
        self.assertEqual(self.alice.pending(), 0)


class SmallLineLimitTests(ServerTestCase):
    max_line_bytes = 4096

    def test_pushes_are_cut_to_fit_the_servers_line_limit(self):
        dora = self.client("dora")
        for number in range(6):
            dora.add(title=f"row {number}", party="United Kingdom", notes="n" * 1000)
        report = dora.push()
        self.assertEqual((report.pushed, report.accepted), (18, 18))
        erin = self.client("erin")
        self.assertGreater(erin.pull().batches, 1, "the server cuts its batches too")
        self.assertEqual(erin.db.execute("SELECT count(*) FROM commitments WHERE length(notes) = 1000").fetchone()[0], 6)
