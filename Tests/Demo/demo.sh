#!/usr/bin/env bash
# `make demo`: the whole story in a minute, on a temporary server with the sample dataset:
# two analysts clone, edit offline (different fields merge, the same field conflicts), sync,
# see the conflict, resolve it, sync again, and end with equal digests.
set -euo pipefail
bin=${1:-.build/debug}
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
accord() { "$bin/accord" "$@"; }
server() { "$bin/accord-server" "$@"; }

say "1. The operator loads the article's dataset and issues two tokens"
run server import --sample --db "$work/server.db"
alice_token=$(server token add alice --role editor --db "$work/server.db")
bob_token=$(server token add bob --role editor --db "$work/server.db")
server serve --db "$work/server.db" --port 0 > "$work/server.out" 2> "$work/server.log" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/server.out" 2>/dev/null && break; sleep 0.1; done
address=$(sed -n 's/^listening on //p' "$work/server.out")
echo "server listening on $address"

say "2. Alice and Bob each create a replica and clone"
run accord init --replica "$work/alice.db" --server "$address" --token "$alice_token" --analyst alice
run accord init --replica "$work/bob.db" --server "$address" --token "$bob_token" --analyst bob
run accord sync --replica "$work/alice.db"
run accord sync --replica "$work/bob.db"

say "3. Offline, Alice corrects the £17m amount while Bob marks it delivered (different fields),"
say "   and both annotate the £40m fund (the same field: Bob writes last)"
run accord edit 01980c08 --amount 17500000 --replica "$work/alice.db"
run accord edit 01980c08 --status delivered --replica "$work/bob.db"
run accord edit 01980c09 --note "Alice: confirmed at the PMC" --replica "$work/alice.db"
sleep 0.05
run accord edit 01980c09 --note "Bob: pending Treasury sign-off" --replica "$work/bob.db"

say "4. Back online, everyone syncs"
run accord sync --replica "$work/alice.db"
run accord sync --replica "$work/bob.db"
run accord sync --replica "$work/alice.db"
run accord show 01980c08 --replica "$work/alice.db"

say "5. The note conflicts: Bob's later edit stands, Alice's is kept, and both see it"
run accord conflicts --replica "$work/alice.db"
run accord conflicts --replica "$work/bob.db"

say "6. Bob settles it by keeping Alice's note; the resolution syncs like any edit"
conflict=$(accord conflicts --replica "$work/bob.db" --format json | sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p' | head -1)
run accord resolve "${conflict:0:13}" --keep other --replica "$work/bob.db"
run accord sync --replica "$work/bob.db"
run accord sync --replica "$work/alice.db"
run accord conflicts --replica "$work/alice.db"

say "7. Both replicas hold the same data"
a=$(accord status --format json --replica "$work/alice.db" | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
b=$(accord status --format json --replica "$work/bob.db" | sed -n 's/.*"digest":"\([0-9a-f]*\)".*/\1/p')
echo "alice digest: $a"
echo "bob digest:   $b"
if [ "$a" = "$b" ] && cmp -s <(accord export --replica "$work/alice.db") <(accord export --replica "$work/bob.db"); then
    say "Converged: equal digests and byte-identical exports."
else
    say "NOT converged"; exit 1
fi
