# folio - a static site generator for career content.
#
#   make            build build/folio
#   make site       build the career site in this repository into public/
#   make test       run every test; ends with "N passed, N failed"
#   make asan       the same suite built with AddressSanitizer + UBSan
#   make fuzz       libFuzzer targets (clang), each run FUZZ_SECONDS (default 30)
#   make soak       the long runs: folio serve under load for minutes,
#                   10,000 live edits, cmark's slow inputs at full size
#   make bench      synthetic-corpus benchmark against Hugo and the cmark
#                   floor: SIZES="1000 10000" (default), any up to 1000000
#   make bench-scale   peak memory of a 100,000-article build under a budget
#   make lighthouse Lighthouse scores of the career site (not in make test)
#   make bench-search  search index and client budgets (and Pagefind's)
#   make bench-serve   folio serve's update time on the 10k corpus
#   make install    install folio and its man page under PREFIX
#
# Per-developer settings go in an optional Makefile.local.

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wpedantic
PKGS     = libcmark-gfm yaml-0.1 libmicrohttpd

-include Makefile.local

ifeq ($(SANITIZE),1)
BUILD    = build/asan
CFLAGS   = -O1 -g -fno-omit-frame-pointer
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif

# Evaluated when a recipe runs, i.e. after scripts/deps has installed them.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lstemmer -lpthread -lm
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -I$(BUILD)/gen

SRCS     = $(wildcard src/*.c)
CMD_SRCS = src/main.c $(wildcard src/cmd_*.c)
LIB_OBJS = $(patsubst src/%.c,$(BUILD)/obj/%.o,$(filter-out $(CMD_SRCS),$(SRCS))) $(BUILD)/obj/theme_data.o
# Folders too: adding or removing a file changes its folder's time.
THEME_FILES = $(shell find layouts assets ! -name '.*' 2>/dev/null)
CMD_OBJS = $(patsubst src/%.c,$(BUILD)/obj/%.o,$(CMD_SRCS))
TEST_SRCS = $(wildcard tests/unit/*.c)
TEST_BINS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))

.PHONY: all deps site test test-deps asan soak fuzz fuzz-deps lighthouse bench bench-scale bench-search bench-serve bench-template install clean regress-update

all: $(BUILD)/folio

# Written only when scripts/deps found (or installed) every build need.
$(BUILD)/.deps-ok: scripts/deps
	@CC="$(CC)" sh scripts/deps build
	@mkdir -p $(BUILD) && touch $@

# Each object also writes the list of headers it read (-MMD), so an edit of
# a header rebuilds exactly the objects that include it.
$(BUILD)/obj/%.o: src/%.c Makefile $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

-include $(wildcard $(BUILD)/obj/*.d)

# The default theme (layouts/, assets/) is embedded in the binary.
$(BUILD)/gen/theme_data.c: scripts/embed $(THEME_FILES)
	@mkdir -p $(dir $@)
	sh scripts/embed > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/theme_data.o: $(BUILD)/gen/theme_data.c src/theme.h
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/folio: $(LIB_OBJS) $(CMD_OBJS)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c Makefile $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -Itests -MMD -MP -MF $@.d -o $@ $< $(LIB_OBJS) $(PKG_LIBS)

-include $(wildcard $(BUILD)/tests/*.d)

site: $(BUILD)/folio
	./$(BUILD)/folio build -s .

test-deps:
	@CC="$(CC)" sh scripts/deps test
	@$(MAKE) --no-print-directory tests/node_modules/.package-lock.json

# The browser tests' npm packages, as the lock file pins them.
tests/node_modules/.package-lock.json: tests/package-lock.json tests/package.json
	cd tests && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: $(BUILD)/folio $(TEST_BINS) test-deps
	@FOLIO=$(BUILD)/folio TEST_BIN=$(BUILD)/tests sh tests/run

asan:
	$(MAKE) SANITIZE=1 test

# Lighthouse (npm, pinned in tests/lighthouse/package.json) with Debian's
# Chromium, on the main page types of the career site.
lighthouse: $(BUILD)/folio
	@[ -d tests/lighthouse/node_modules/lighthouse ] || (cd tests/lighthouse && npm ci --no-audit --no-fund)
	@FOLIO=$(BUILD)/folio node tests/lighthouse/run.mjs
# Fuzzing: the library built again with clang, ASan, UBSan and libFuzzer's
# coverage, one program per target in tests/fuzz/; tests/fuzz/run seeds
# each from the test fixtures and replays tests/fuzz/regress/ first.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_BUILD    = build/fuzz
FUZZ_TARGETS  = front_matter mustache markdown search_tokenizer
FUZZ_SAN      = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS   = $(WARN) $(FUZZ_SAN) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -I$(BUILD)/gen
FUZZ_OBJS     = $(patsubst src/%.c,$(FUZZ_BUILD)/obj/%.o,$(filter-out $(CMD_SRCS),$(SRCS))) $(FUZZ_BUILD)/obj/theme_data.o

fuzz-deps:
	@CC=$(FUZZ_CC) sh scripts/deps fuzz

$(FUZZ_BUILD)/obj/%.o: src/%.c Makefile | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/obj/theme_data.o: $(BUILD)/gen/theme_data.c src/theme.h | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS)

.PRECIOUS: $(FUZZ_BUILD)/obj/%.o

fuzz: $(addprefix $(FUZZ_BUILD)/,$(FUZZ_TARGETS))
	sh tests/fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

soak: $(BUILD)/folio $(BUILD)/tests/live_edits
	SERVE_LOAD_SECONDS=180 SERVE_LOAD_TRICKLE=1000 SERVE_LOAD_STREAMS=500 sh tests/cli/serve_load.sh
	LIVE_EDITS=10000 ./$(BUILD)/tests/live_edits
	PATHOLOGICAL_FULL=1 FOLIO=$(BUILD)/folio sh tests/cli/pathological.sh

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -D_POSIX_C_SOURCE=200809L -o $@ $<

# Hugo and the cmark-gfm command are optional: without them (not root, no
# apt-get), make bench says so and times folio alone.
bench: $(BUILD)/folio $(BUILD)/bench/gencorpus $(BUILD)/bench/runstat
	@CC="$(CC)" sh scripts/deps bench || echo "make bench: going on without the missing comparisons"
	FOLIO=$(BUILD)/folio BENCH_BIN=$(BUILD)/bench sh bench/run $(SIZES)

# Not in CI: a clean build of SCALE_PAGES generated articles must stay
# under SCALE_BUDGET_MB megabytes of peak memory.
SCALE_PAGES     ?= 100000
SCALE_BUDGET_MB ?= 600
bench-scale: $(BUILD)/folio $(BUILD)/bench/gencorpus $(BUILD)/bench/runstat
	FOLIO=$(BUILD)/folio BENCH_BIN=$(BUILD)/bench SCALE_PAGES=$(SCALE_PAGES) \
		SCALE_BUDGET_MB=$(SCALE_BUDGET_MB) sh bench/scale

# Search budgets on the 10k corpus, and Pagefind's figures when it runs here.
bench-search: $(BUILD)/folio $(BUILD)/bench/gencorpus $(BUILD)/bench/runstat test-deps
	FOLIO=$(BUILD)/folio BENCH_BIN=$(BUILD)/bench sh bench/search-run

# folio serve: from a saved page to its new HTML on the 10k corpus.
bench-serve: $(BUILD)/tests/live_bench $(BUILD)/bench/gencorpus
	@[ -f build/bench/corpus-10000/.complete ] || { rm -rf build/bench/corpus-10000; \
		$(BUILD)/bench/gencorpus 10000 build/bench/corpus-10000 && touch build/bench/corpus-10000/.complete; }
	rm -rf build/bench/serve-site && mkdir -p build/bench/serve-site && \
		cp -R build/bench/corpus-10000/content build/bench/corpus-10000/site.yaml build/bench/serve-site/
	./$(BUILD)/tests/live_bench build/bench/serve-site content/backend/article-000000.md build/bench/serve-out 20

bench-template: $(BUILD)/tests/mustache_bench
	./$(BUILD)/tests/mustache_bench

install: $(BUILD)/folio
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/folio $(DESTDIR)$(PREFIX)/bin/folio
	install -m 644 doc/folio.1 $(DESTDIR)$(PREFIX)/share/man/man1/folio.1

clean:
	rm -rf build public

# Rewrites tests/sites/*/expected from the current build.  Read the diff
# (git diff tests/sites) before committing it.
regress-update: $(BUILD)/folio
	@tests/tools/regress-update ./$(BUILD)/folio
