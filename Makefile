# Accord: `make run` and `make test` are the two commands a fresh machine needs.
SWIFT ?= swift

.PHONY: build release test run demo clean

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# Every test: Domain and Storage unit tests, and end-to-end tests of the real `accord` binary.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip SimulationTests

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
	rm -rf .build var
