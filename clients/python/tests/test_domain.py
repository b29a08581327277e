"""The hybrid logical clock and the stored form of values, with no server."""

import unittest

from accordpy import clock
from accordpy.errors import DataError
from accordpy.fields import normalize


class ClockTests(unittest.TestCase):
    def test_times_increase_even_when_the_wall_clock_goes_back(self):
        last = clock.tick(0, 1_000_000)
        times = [last]
        for wall in (999_000, 1_000_000, 500, 1_000_001):
            times.append(clock.tick(times[-1], wall))
        self.assertEqual(times, sorted(set(times)))
        self.assertEqual(clock.split_hlc(times[1]), (1_000_000, 1))
        self.assertEqual(clock.split_hlc(times[-1]), (1_000_001, 0))

    def test_a_full_counter_moves_to_the_next_millisecond(self):
        full = clock.make_hlc(5, clock.COUNTER_MAX)
        self.assertEqual(clock.tick(full, 5), clock.make_hlc(6, 0))

    def test_a_time_received_from_ahead_pulls_the_clock_past_it(self):
        remote = clock.make_hlc(9_000_000, 7)
        after = clock.receive(clock.make_hlc(1_000, 0), remote, 2_000)
        self.assertGreater(after, remote)
        self.assertGreater(clock.tick(after, 2_000), after)

    def test_new_ids_are_lowercase_uuid_v7_in_time_order(self):
        first, second = clock.new_id(1_000), clock.new_id(2_000)
        self.assertRegex(first, r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertLess(first, second)


class FieldFormTests(unittest.TestCase):
    def test_values_take_the_stored_form_the_server_expects(self):
        cases = [
            ("amount", " 017.50 ", "17.50"), ("amount", 17000000, "17000000"), ("currency", "gbp", "GBP"),
            ("title", "Cafe\u0301 fund", "Café fund"), ("tags", " uk; asean ;uk;", "uk;asean"), ("tags", ["a", "b"], "a;b"),
            ("period_start", "2022", 2022), ("period_end", 2026, 2026), ("progress", "94.48", "94.48"),
            ("meeting_id", "01980A02-5EED-7000-8000-000000000002", "01980a02-5eed-7000-8000-000000000002"),
            ("status", "delivered", "delivered"), ("date", "2025-07-10", "2025-07-10"), ("notes", "  ", None),
            ("notes", None, None), ("source_quote", "two\nlines", "two\nlines"),
        ]
        for field, raw, stored in cases:
            with self.subTest(field=field, raw=raw):
                self.assertEqual(normalize("commitments", field, raw), stored)

    def test_values_not_in_any_stored_form_are_refused_with_the_field_named(self):
        cases = [("amount", "1e6"), ("amount", "-5"), ("amount", 1.5), ("currency", "XYZ"), ("status", "done"),
                 ("date", "2025-02-30"), ("period_start", "1800"), ("progress", "100.01"), ("source_url", "ftp://x"),
                 ("title", "two\nlines"), ("title", "x" * 201), ("meeting_id", "not-an-id"), ("colour", "red")]
        for field, raw in cases:
            with self.subTest(field=field, raw=raw), self.assertRaises(DataError) as caught:
                normalize("commitments", field, raw)
            self.assertIn(field, caught.exception.message)


if __name__ == "__main__":
    unittest.main()
