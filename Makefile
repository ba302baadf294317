# regdesk — the customer-onboarding desk.
GO      ?= go
BIN     ?= bin/regdesk
DATA    ?= regdesk-data
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# Packages whose benchmarks `make bench` runs; BENCH narrows them.
BENCH   ?= .
COUNT   ?= 6

.PHONY: build run test test-postgres bench fmt lint fuzz docs clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/regdesk

# Portal + workflow + SSH Registration screen on the embedded SQLite and file-mail defaults.
run: build
	$(BIN) serve --data $(DATA)

# The whole suite runs twice, both at once (.ci/side-by-side prefixes each
# line with the pass it came from): on SQLite with the race detector, and on
# PostgreSQL (storetest and the cmd/regdesk data directories open PostgreSQL
# databases when REGDESK_TEST_STORE=postgres; tests of the SQLite file itself
# skip there, saying so). The second pass runs without -race: the race
# detector has seen the same code in the first, and the PostgreSQL pass is
# about the SQL and the cross-process behaviour. .ci/with-postgres starts a
# throw-away server for both runs unless REGDESK_TEST_PG_URL names one; the
# first run's PostgreSQL-only tests (two serve processes on one database,
# migrate-store) use it too.
PG_PACKAGES ?= ./...
# The browser checks (chromium and axe-core, html-validate) look at pages
# that the SQLite pass has already rendered through the same portal code;
# the PostgreSQL pass leaves them out to keep `make test` short.
PG_SKIP ?= ^(TestBrowser_|TestPages_htmlValidate)
# The PostgreSQL pass is the lighter one: one test binary at a time, so
# that with the SQLite pass's two the two cores are not oversubscribed
# (more at once only made every test slower).
PG_P ?= 1
# go vet runs every analyzer first; the passes leave out go test's own
# subset of them (-vet=off), which would analyse every dependency twice more.
# The race detector watches our code and every Go library, but not the
# SQLite engine's own code (modernc.org/sqlite/lib: SQLite's C translated
# to Go, behind SQLite's locks; its driver and libc stay watched). Watching
# each of its memory accesses was most of the pass's CPU: the job runner's
# tests took 83 CPU-seconds with it and 12 without. GOFLAGS carries the
# setting to the regdesk binary the end-to-end tests build.
RACE_GOFLAGS ?= -gcflags=modernc.org/sqlite/lib=-race=false
# Test binaries link without DWARF (-w): stack traces and race reports
# read the symbol table, not DWARF, and a race-built link takes half the
# CPU without it (about 3 CPU-seconds instead of 6 per binary).
TEST_GOFLAGS ?= -ldflags=-w

test:
	$(GO) vet ./...
	.ci/with-postgres .ci/side-by-side \
	  'sqlite=GOFLAGS="$$GOFLAGS $(TEST_GOFLAGS) $(RACE_GOFLAGS)" $(GO) test -race -vet=off -timeout 20m ./...' \
	  'postgres=GOFLAGS="$$GOFLAGS $(TEST_GOFLAGS)" REGDESK_TEST_STORE=postgres $(GO) test -vet=off -p $(PG_P) -timeout 20m -skip "$(PG_SKIP)" $(PG_PACKAGES)'

# Only the PostgreSQL run, for work on the PostgreSQL store.
test-postgres:
	REGDESK_TEST_STORE=postgres .ci/with-postgres $(GO) test -timeout 20m $(PG_PACKAGES)

# Results go to .bench/; compare two runs with `benchstat .bench/old.txt .bench/new.txt`.
bench:
	mkdir -p .bench
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(COUNT) -timeout 60m ./... | tee .bench/latest.txt

# docs/cli.md is generated from the command definitions (a test fails when it is stale).
docs:
	$(GO) run ./cmd/regdesk man --markdown > docs/cli.md

fmt:
	gofmt -w $$(git ls-files '*.go')

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Each fuzz target runs for FUZZTIME; `make test` runs their committed seeds.
FUZZTIME ?= 30s
FUZZ := ./workflow:FuzzFormatNumber ./workflow:FuzzLookupToken ./workflow:FuzzRenderMail \
	./workflow:FuzzParamValidate ./workflow:FuzzMailAddress ./portal:FuzzSignupForm \
	./tui:FuzzSanitize
fuzz:
	@for t in $(FUZZ); do pkg=$${t%%:*}; fn=$${t##*:}; \
	  echo "== $$fn ($$pkg)"; \
	  $(GO) test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; done

clean:
	rm -rf bin .bench
