"""The Accord Python client's code; `accord_client.py` beside this package is its front door.

errors (exceptions and exit statuses), fields (entities and stored forms), clock (HLC, ids),
wire (framing, DEFLATE), connection (socket), session (the protocol's messages), store (the
local SQLite file), edits and replication (what edits and sync do to it), csv_rows, reports,
client (the Client class) and cli (the command).
"""
