# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/surveyd
ROUND := regional-2025
LINKS := .data/links-$(ROUND).csv
# A local PostgreSQL when one answers here; otherwise scripts/pg-ensure starts
# a private cluster under .data/ (installing Debian's postgresql if needed).
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/surveyd?sslmode=disable

.PHONY: run test test-race build check fmt db-stop clean bench bench-go fuzz

build:
	$(GO) build -o $(BIN) ./cmd/surveyd

# Get PostgreSQL, migrate, load the municipalities and the current round,
# keep a link key in .data/link-key, issue links to municipalities that have
# none (saved to $(LINKS)), create the first admin (its password is printed
# once), serve.
run: build
	@set -e; url=$$(scripts/pg-ensure); export DATABASE_URL="$$url"; \
	mkdir -p .data; [ -s .data/link-key ] || (umask 077; $(BIN) keygen > .data/link-key); \
	[ -n "$$LINK_KEY" ] || export LINK_KEY_FILE="$${LINK_KEY_FILE:-$$PWD/.data/link-key}"; \
	$(BIN) seed; \
	$(BIN) invite --survey $(ROUND) --missing-only -o $(LINKS); \
	echo; echo "Personal links of the municipalities: $(LINKS)"; \
	echo "For example: $$(sed -n 2p $(LINKS) | cut -d';' -f2,3 | tr ';' ' ')"; echo; \
	$(BIN) user first-admin --email "$${ADMIN_EMAIL:-admin@localhost}"; \
	echo "Coordinators sign in at $${BASE_URL:-http://localhost:8080}/login"; echo; \
	exec $(BIN) serve

# The race detector needs cgo (a C compiler); without one the tests still run.
RACE = $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v gcc >/dev/null && echo -race)

# Format and vet checks, then every test against a real PostgreSQL and a
# headless Chromium (both found or installed by scripts/). Two go test runs
# at once: the packages whose own code keeps state that goroutines share
# (RACE_PKGS: the Manager's caches and slots, the store's connections and
# counters, the read-ahead goroutine, the lru, the mail outbox's fake server, the test progress
# reader) under the race detector where a C compiler is present (.ci/run
# installs one), and every other package without it — pages driven in
# Chromium, workbooks, the questionnaire, the commands: CPU-heavy tests
# the detector made 5–8 times slower, putting make test past its 3-minute
# budget. `make test-race` runs everything raced. go test's JSON goes
# through scripts/testprogress: a line per package as it finishes, the
# full output of whatever fails, the slowest tests; TEST_JSON=FILE keeps
# the JSON. Independent tests run in parallel, TEST_PARALLEL at a time per
# package in the raced run and TEST_PARALLEL_PLAIN in the other (they
# mostly wait for PostgreSQL or Chromium, so more than the cores). Both are
# 4: on a shared, heavily loaded machine 8 ran PostgreSQL out of its 100
# connections (internal/manage raced; a burst of sign-ins in internal/web
# answered 503) and pushed TestBrowserCarried past its 15 s steps, while
# internal/web took no less time (248 s at 4, 243 s at 8). On a quiet
# machine internal/web mostly waits (~65 s of CPU, Chromium's included,
# in ~250 s), so TEST_PARALLEL_PLAIN=8 may pay there: measure it.
TEST_PARALLEL ?= 4
TEST_PARALLEL_PLAIN ?= 4
RACE_PKGS := ./internal/manage/... ./internal/ahead/... ./internal/store/... ./internal/lru/... ./internal/mail/... ./internal/wording/... ./scripts/... ./cmd/surveybench/...
# The packages whose tests take longest, longest first: go test builds and
# starts packages in the order it is given them, and a long package started
# last would finish last (internal/web was started after cmd/surveyd, ~40 s
# late).
TEST_FIRST := ./internal/web ./internal/manage ./cmd/surveyd ./internal/store ./survey
test: check
	@set -eo pipefail; url=$$(scripts/pg-ensure test); chrome=$$(scripts/chromium-ensure); \
	[ -n "$(RACE)" ] || echo "make test: cgo is unavailable (no C compiler?), running without the race detector" >&2; \
	$(GO) build -o bin/testprogress ./scripts/testprogress; \
	export TEST_DATABASE_URL="$$url" CHROME_PATH="$$chrome"; \
	raced=$$($(GO) list $(RACE_PKGS)); plain=$$($(GO) list ./... | grep -vxF "$$raced"); \
	first=$$($(GO) list $(TEST_FIRST)); \
	raced=$$(grep -xF "$$raced" <<<"$$first"; grep -vxF "$$first" <<<"$$raced" || :); \
	plain=$$(grep -xF "$$plain" <<<"$$first"; grep -vxF "$$first" <<<"$$plain" || :); \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; mkfifo "$$tmp/raced" "$$tmp/plain"; \
	echo "make test: go test $(RACE) $(RACE_PKGS) and go test of the other packages, -parallel $(TEST_PARALLEL) and $(TEST_PARALLEL_PLAIN) (a line per package as it finishes)"; \
	( set +e; $(GO) test $(RACE) -count=1 -parallel $(TEST_PARALLEL) -json $$raced > "$$tmp/raced" 2>&1; echo $$? > "$$tmp/raced.rc" ) & \
	( set +e; $(GO) test -count=1 -parallel $(TEST_PARALLEL_PLAIN) -json $$plain > "$$tmp/plain" 2>&1; echo $$? > "$$tmp/plain.rc" ) & \
	rc=0; bin/testprogress $(if $(TEST_JSON),-json $(TEST_JSON)) "$$tmp/raced" "$$tmp/plain" || rc=$$?; wait; \
	for r in raced plain; do [ "$$(cat "$$tmp/$$r.rc")" = 0 ] || { [ $$rc != 0 ] || echo "make test: go test ($$r) exited with status $$(cat "$$tmp/$$r.rc")"; rc=1; }; done; \
	exit $$rc

# Every package under the race detector (several times as long as make
# test).
test-race: check
	@set -eo pipefail; url=$$(scripts/pg-ensure test); chrome=$$(scripts/chromium-ensure); \
	$(GO) build -o bin/testprogress ./scripts/testprogress; \
	TEST_DATABASE_URL="$$url" CHROME_PATH="$$chrome" $(GO) test -race -count=1 -parallel $(TEST_PARALLEL) -json ./... 2>&1 | bin/testprogress $(if $(TEST_JSON),-json $(TEST_JSON))

check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.data/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $$(find . -name '*.go' -not -path './.data/*')

# The issue-13 measurement (README "Performance"): autosave over HTTP at 1,
# 16 and 64 clients beside pgbench running scripts/bench/save.pgbench, the
# workbook at 1,000 / 10,000 / 100,000 responses beside a bare StreamWriter
# (each in its own process, for its peak RSS), the charts page and the
# printable report at 43 and 10,000 responses beside /healthz; a markdown
# table on stdout. Scratch databases surveybench_* on the server pg-ensure
# finds, dropped at the end. 14 minutes on a busy 2-core machine on today's
# main, most of it the 100,000-response set; BENCH_QUICK=1 about 2½
# (shorter runs, no 100,000). Needs pgbench (Debian: postgresql).
bench: build
	@set -eo pipefail; url=$$(scripts/pg-ensure); export DATABASE_URL="$$url"; \
	$(GO) build -o bin/surveybench ./cmd/surveybench; \
	bin/surveybench all -surveyd $(BIN) -pgbench-script scripts/bench/save.pgbench

# The workbook's Go benchmarks: WriteXLSX for 43, 1,000 and 10,000
# synthetic responses beside the bare writer of make bench's baseline
# (WriteBaselineXLSX: an excelize StreamWriter writing the same cells of the
# wide and long sheets) and a raw StreamWriter of the wide sheet alone (no
# database; about half a minute).
bench-go:
	$(GO) test -run '^$$' -bench 'Workbook|Baseline|RawStreamWriter' -benchtime 3x ./reports/

# Fuzzing, each target in turn for FUZZTIME (make test runs only their seed
# corpora, <package>/testdata/fuzz/<target>/). A failing input is saved there
# and from then on runs in every make test. FuzzParse: the definition loader
# never panics and allocates at most 4 MB + 2 KB per input byte; FuzzValidate:
# answers; FuzzParseExpr: show_if/rule expressions; FuzzReadAnswersObject and
# FuzzQuickPutBody: the one-pass readings of answers and of the autosave's
# body agree with encoding/json's strict path; FuzzMarshalAnswers: answers
# are written as encoding/json writes them; FuzzXLSFormExpr and
# FuzzDefinitionExprToXLSForm: expressions to and from XLSForm. Minimising a new input
# is cut to 10 s (the default 60 s stalls the run on large inputs).
FUZZTIME ?= 1m
FUZZ_TARGETS := survey:FuzzParse survey:FuzzValidate survey:FuzzParseExpr survey:FuzzReadAnswersObject survey:FuzzMarshalAnswers \
	survey:FuzzXLSFormExpr survey:FuzzDefinitionExprToXLSForm internal/web:FuzzQuickPutBody reports:FuzzPreparer reports:FuzzPreparedDecode
fuzz:
	@set -e; for f in $(FUZZ_TARGETS); do \
		echo "make fuzz: $$f for $(FUZZTIME)"; \
		$(GO) test ./$${f%%:*} -run '^$$' -fuzz "^$${f#*:}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s; \
	done

# Stop the private PostgreSQL clusters (the service's and the tests'), if
# scripts/pg-ensure started them.
db-stop:
	scripts/pg-ensure stop

clean:
	rm -rf bin
