# Accord: `make run` and `make test` are the two commands a fresh machine needs.
SWIFT ?= swift

.PHONY: build release test run clean

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# Every test: Domain and Storage unit tests, and end-to-end tests of the real `accord` binary.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The sync server arrives with the sync-server issue; until then `run` shows the analyst's CLI.
run: release
	@echo "accord-server arrives with the sync-server issue; the analyst's CLI is ready:"
	@echo "  .build/release/accord init --replica /tmp/demo.db --analyst you"
	@echo "  .build/release/accord import --sample --replica /tmp/demo.db"
	@echo "  .build/release/accord list --replica /tmp/demo.db"

clean:
	rm -rf .build var
