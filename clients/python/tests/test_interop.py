"""The Python client and the Swift `accord` CLI on one server: each sees the other's edits,
and a conflict between them is the same record on both sides."""

import csv

from tests.support import ServerTestCase

UK = "01980c01-5eed-7000-8000-000000000001"
ACTION_PLAN = "01980c02-5eed-7000-8000-000000000002"


class InteropTests(ServerTestCase):
    sample = True

    def test_an_edit_pushed_from_python_is_seen_by_accord(self):
        alice = self.client("alice")
        alice.pull()
        alice.edit(UK, amount="18000000", currency="GBP", status="delivered")
        new = alice.add(title="£5m to the ASEAN Catalytic Green Finance Facility", party="United Kingdom", tags="finance;green")
        alice.delete(ACTION_PLAN)
        self.assertEqual(alice.push().conflicts, [])
        bob = self.swift("bob")
        bob.sync()
        shown = bob.show(UK[:8])
        self.assertEqual((shown["commitment"]["amount"], shown["commitment"]["currency"], shown["commitment"]["status"]),
                         ("18000000", "GBP", "delivered"))
        self.assertEqual(shown["versions"]["amount"]["analyst"], "alice")
        self.assertEqual(shown["versions"]["amount"]["replica_id"], alice.replica_id)
        added = bob.show(new)["commitment"]
        self.assertEqual((added["title"], added["tags"]), ("£5m to the ASEAN Catalytic Green Finance Facility", ["finance", "green"]))
        self.assertTrue(bob.show(ACTION_PLAN)["deleted"])

    def test_an_edit_synced_by_accord_is_seen_by_python(self):
        bob = self.swift("bob")
        bob.sync()
        bob.cli("edit", UK[:8], "--status", "lapsed", "--tag", "uk", "--tag", "lapsed")
        new = bob.cli("add", "--title", "€2m to the ASEAN Centre for Energy", "--party", "European Union",
                      "--amount", "2000000", "--currency", "EUR").stdout.strip()
        bob.sync()
        alice = self.client("alice")
        alice.pull()
        self.assertEqual(alice.db.execute("SELECT status, tags FROM commitments WHERE id = ?", (UK,)).fetchone(),
                         ("lapsed", "uk;lapsed"))
        self.assertEqual(alice.db.execute("SELECT title, amount, currency FROM commitments WHERE id = ?", (new,)).fetchone(),
                         ("€2m to the ASEAN Centre for Energy", "2000000", "EUR"))
        self.assertEqual(alice.db.execute(
            "SELECT analyst FROM sync_versions WHERE row_id = ? AND field = 'status'", (UK,)).fetchone(), ("bob",))

    def test_a_conflict_between_python_and_accord_is_the_same_record_on_both_sides(self):
        bob = self.swift("bob")
        bob.sync()
        alice = self.client("alice")
        alice.pull()
        bob.cli("edit", UK[:8], "--status", "pledged")
        bob.sync()
        alice.edit(UK, status="delivered")
        report = alice.push()
        self.assertEqual([(c.field, c.yours, c.yours_stands) for c in report.conflicts], [("status", "delivered", True)])
        bob.sync()
        seen_by_accord = bob.conflicts()
        self.assertEqual([(c["id"], c["field"], c["standing_value"], c["standing_analyst"], c["other_value"], c["other_analyst"])
                          for c in seen_by_accord],
                         [(report.conflicts[0].conflict_id, "status", "delivered", "alice", "pledged", "bob")])
        self.assertEqual([c.id for c in alice.conflicts()], [seen_by_accord[0]["id"]])
        self.assertEqual(bob.show(UK)["commitment"]["status"], "delivered")

    def test_an_accord_csv_export_pushed_by_the_python_command_changes_only_what_was_edited(self):
        bob = self.swift("bob")
        bob.sync()
        exported = self.dir / "commitments.csv"
        bob.cli("export", "--format", "csv", "--output", str(exported))
        alice = self.client("alice")
        alice.pull()
        alice.close()
        db = str(alice.store.path)
        unchanged = self.command("push", "--db", db, "--csv", str(exported))
        self.assertEqual(unchanged.returncode, 0, unchanged.stderr)
        self.assertIn("0 added, 0 updated, 32 unchanged", unchanged.stdout, "every stored form matches accord's")
        with open(exported, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for record in rows:
            if record["id"] == UK:
                record["amount"], record["currency"] = "18000000", "GBP"
        with open(exported, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        edited = self.command("push", "--db", db, "--csv", str(exported))
        self.assertEqual(edited.returncode, 0, edited.stderr)
        self.assertIn("0 added, 1 updated, 31 unchanged", edited.stdout)
        self.assertIn("pushed 2 changes: 2 accepted", edited.stdout)
        bob.sync()
        self.assertEqual(bob.show(UK)["commitment"]["amount"], "18000000")
