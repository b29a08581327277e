# Accord: `make run` and `make test` are the two commands a fresh machine needs.
SWIFT ?= swift

.PHONY: build release test soak fuzz bench run demo clean

# The tests run from their own optimised build in .build-test (the simulation runs thousands of
# schedules), with testable imports for the unit tests; `make release` and `make run` keep
# .build/release without them.
TESTBUILD = -c release -Xswiftc -enable-testing --scratch-path .build-test

# A debug build, for development.
build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# Every test: unit tests, end-to-end and kill tests of the real `accord` and
# `accord-server`; then the deterministic simulation (2,000 seeds) alone, so that its busy cores
# do not slow the timed tests; then the Python client's tests against the same binaries.
test:
	$(SWIFT) build $(TESTBUILD) --build-tests
	$(SWIFT) test $(TESTBUILD) --skip-build --skip SimulationTests
	$(SWIFT) test $(TESTBUILD) --skip-build --filter SimulationTests
	ACCORD_BIN_DIR=$(CURDIR)/.build-test/release python3 -m unittest discover -s clients/python -p 'test_*.py' -t clients/python

# The simulation alone: `make soak SEEDS=100000 [FIRST=1]` runs that many seeds; `make soak
# SEED=S` replays one seed and prints its whole schedule.
SEEDS ?= 2000
FIRST ?= 1
SEED ?=
soak:
	$(SWIFT) build $(TESTBUILD) --build-tests
	ACCORD_SIMULATION_SEEDS=$(SEEDS) ACCORD_SIMULATION_FIRST=$(FIRST) ACCORD_SIMULATION_SEED=$(SEED) \
	  $(SWIFT) test $(TESTBUILD) --skip-build --filter SimulationTests

# libFuzzer on the line framer, the inflater and message decoding, SECONDS each (Linux; the
# corpus it keeps is replayed by FuzzCorpusTests in `make test`).
SECONDS ?= 60
fuzz:
	bash Tests/Fuzz/run.sh $(SECONDS)

# Benchmarks (docs/BENCHMARKS.md): ROWS synthetic commitments, each measurement RUNS times, a
# markdown table of medians beside references measured in the same run (BENCH="--json" for JSON).
ROWS ?= 100000
RUNS ?= 3
BENCH ?=
bench: release
	.build/release/accord-bench --rows $(ROWS) --runs $(RUNS) $(BENCH)

# The sync server on 127.0.0.1:7420 over var/accord-server.db, loaded with the sample once,
# with a fresh demo token; in the foreground until Ctrl-C (SIGINT) or SIGTERM.
run: release
	@mkdir -p var
	@test -f var/accord-server.db || .build/release/accord-server import --sample --db var/accord-server.db
	@token=$$(.build/release/accord-server token add demo-$$(date +%s) --role editor --db var/accord-server.db) && \
	  echo "demo token (editor): $$token" && \
	  echo "try, in another terminal:" && \
	  echo "  .build/release/accord init --replica /tmp/demo.db --server 127.0.0.1:7420 --token $$token --analyst you && .build/release/accord sync --replica /tmp/demo.db" && \
	  echo "  .build/release/accord list --replica /tmp/demo.db"
	@exec .build/release/accord-server serve --db var/accord-server.db --host 127.0.0.1 --port 7420

# Two analysts, offline edits, one conflict, sync, resolve, equal digests, printed as it happens.
demo: build
	@bash Tests/Demo/demo.sh .build/debug

clean:
	rm -rf .build .build-test var
