"""The hybrid logical clock (PROTOCOL.md §6.1) and time-ordered row ids.

An `hlc` is wall-clock milliseconds in the high 48 bits and a counter in the low 16. The merge
rule lets the later edit by `hlc` stand, so a replica must never stamp an edit earlier than one
it has issued or seen, even when its wall clock goes backwards: the counter absorbs that.
"""

import os
import time

COUNTER_BITS = 16
COUNTER_MAX = (1 << COUNTER_BITS) - 1


def wall_millis():
    """Milliseconds since 1970, from the system clock."""
    return time.time_ns() // 1_000_000


def make_hlc(millis, counter=0):
    return millis << COUNTER_BITS | counter


def split_hlc(hlc):
    """(milliseconds, counter) of an `hlc`."""
    return hlc >> COUNTER_BITS, hlc & COUNTER_MAX


def tick(last, wall):
    """The time of a local edit at wall time `wall`, after the last time `last`."""
    return _advance(max(split_hlc(last)[0], wall), last)


def receive(last, remote, wall):
    """The clock after seeing `remote` (a pulled field's time) at wall time `wall`."""
    newest = max(last, remote)
    return _advance(max(split_hlc(newest)[0], wall), newest)


def _advance(wall, floor):
    floor_millis, floor_counter = split_hlc(floor)
    if wall > floor_millis:
        return make_hlc(wall)
    if floor_counter == COUNTER_MAX:
        return make_hlc(floor_millis + 1)
    return make_hlc(floor_millis, floor_counter + 1)


def new_id(millis=None):
    """A lowercase UUIDv7 (RFC 9562): ids sort by creation time, as the Swift replica's do."""
    millis = wall_millis() if millis is None else millis
    raw = bytearray(millis.to_bytes(6, "big") + os.urandom(10))
    raw[6] = 0x70 | (raw[6] & 0x0F)
    raw[8] = 0x80 | (raw[8] & 0x3F)
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
