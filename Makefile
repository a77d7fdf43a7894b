# factorio-mocks: build the Lua module for the Lua you give (LUA=lua5.4, LUA=luajit, …).
#
#   make demo        the example mod's specs against the built-in dataset
#   make test        every test: cargo test, busted under Lua 5.1–5.4 and LuaJIT, luarocks make
#   make bench       the speed table of the README (needs ../shared/data)
#   make build       the module for $(LUA) into build/<lua>/factorio_mocks.so
#   make fuzz        a million mutated inputs per file parser: no panic, no hang (examples/fuzz.rs)
#   make cli         the `factorio-mocks` command-line tool into build/factorio-mocks
#   make coverage    what the control stage mocks: per game version and class, every member (COVERAGE_ARGS=--summary …)
#   make builtin-datasets  the built-in datasets' data.raw, game Lua and locale (needs ../shared/data)
#   make binary-rock a binary rock per Lua (5.1–5.4) into build/rocks/lua<v>/: installs without Rust
#
# LuaRocks drives the `rock` and `rock-install` targets (see rockspec/).

LUA ?= lua5.2
CARGO ?= cargo
# Ask the interpreter which Lua it is; the cargo feature follows.
LUA_FEATURE := $(shell $(LUA) -e 'print(jit and "luajit" or "lua" .. _VERSION:gsub("%D", ""))' 2>/dev/null)
BUILD_DIR := build/$(LUA_FEATURE)
MODULE := $(BUILD_DIR)/factorio_mocks.so

UNAME_S := $(shell uname -s)
ifeq ($(UNAME_S),Darwin)
  # Lua symbols come from the host interpreter at load time.
  export RUSTFLAGS += -C link-arg=-undefined -C link-arg=dynamic_lookup
  LIB_EXT := dylib
else
  LIB_EXT := so
endif

.PHONY: build rock rock-install install demo test bench deps clean check-lua fuzz cli coverage builtin-datasets binary-rock lint lint-lua lint-rust

check-lua:
	@test -n "$(LUA_FEATURE)" || { echo "error: cannot run '$(LUA)'; pass LUA=<interpreter>, e.g. make LUA=lua5.4 (scripts/ensure-deps.sh installs them)"; exit 1; }

# One target dir for every Lua: dependencies that do not depend on the Lua version compile once.
# LuaRocks passes its own CC and flags; cargo would take a change of them as a reason to rebuild
# every C-building dependency (ring), so every build runs without them. The module is copied
# then renamed, so a process using the old one never sees a half-written file.
build: check-lua
	env -u CC -u CFLAGS -u LDFLAGS $(CARGO) build --release --no-default-features --features module,$(LUA_FEATURE)
	@mkdir -p $(BUILD_DIR)
	cp target/release/libfactorio_mocks.$(LIB_EXT) $(MODULE).tmp && mv $(MODULE).tmp $(MODULE)

# The rock is the module; with FACTORIO_MOCKS_BUILD_CLI=1 in the environment also the
# `factorio-mocks` command, which does the module's network fetches (several minutes more).
WITH_CLI := $(filter-out 0 no false off,$(FACTORIO_MOCKS_BUILD_CLI))

rock: build
	@if [ -n "$(WITH_CLI)" ]; then $(MAKE) --no-print-directory cli; fi

rock-install:
	@test -n "$(INST_LIBDIR)" || { echo "error: INST_LIBDIR is not set (LuaRocks sets it)"; exit 1; }
	mkdir -p $(INST_LIBDIR)
	cp $(MODULE) $(INST_LIBDIR)/factorio_mocks.so
	@if [ -n "$(WITH_CLI)" ]; then mkdir -p $(INST_BINDIR) && cp build/factorio-mocks $(INST_BINDIR)/factorio-mocks; fi
	@if [ -n "$(INST_PREFIX)" ]; then mkdir -p $(INST_PREFIX)/library && cp library/factorio_mocks.lua $(INST_PREFIX)/library/; fi

deps:
	@scripts/ensure-deps.sh

demo: deps
	@$(MAKE) --no-print-directory build LUA=lua5.2
	@scripts/demo.sh

test: deps
	@scripts/test.sh

BENCH_JSON := build/bench/space-age.json
SHARED_DATA ?= ../shared/data

bench: deps
	@$(MAKE) --no-print-directory build LUA=lua5.2
	@test -f $(SHARED_DATA)/data-raw/space-age-2.0.77.json.gz || { echo "error: $(SHARED_DATA)/data-raw/space-age-2.0.77.json.gz not found; set SHARED_DATA=<folder>"; exit 1; }
	@mkdir -p build/bench
	@test -f $(BENCH_JSON) || gzip -dc $(SHARED_DATA)/data-raw/space-age-2.0.77.json.gz > $(BENCH_JSON)
	@lua5.2 bench/bench.lua $(BENCH_JSON)
	@lua5.2 bench/control_bench.lua
	@lua5.2 bench/load_mods_bench.lua $(SHARED_DATA)/../real-mods
	@echo
	@lua5.2 bench/locale_bench.lua $(SHARED_DATA)/locale/core-2.0.55
	@echo
	@lua5.2 bench/translate_bench.lua
	@echo
	@if command -v luajit >/dev/null; then $(MAKE) --no-print-directory build LUA=luajit; fi
	@lua5.2 bench/suites.lua lua5.2 $$(command -v luajit >/dev/null && echo luajit)
	@echo
	@$(MAKE) --no-print-directory cli >/dev/null
	@FACTORIO_MOCKS_FETCHER=$(CURDIR)/build/factorio-mocks SHARED_DATA=$(SHARED_DATA) bench/fetch_bench.sh

FUZZ_INPUTS ?= 1000000
fuzz:
	$(CARGO) run --release --no-default-features --features cli --example fuzz -- --inputs $(FUZZ_INPUTS)

coverage: deps
	@$(MAKE) --no-print-directory build LUA=lua5.2
	@lua5.2 -e 'package.cpath="build/lua52/?.so;"..package.cpath' scripts/coverage.lua $(COVERAGE_ARGS)

# The version is Cargo.toml's (fm.VERSION); the release rockspec of that version is packed.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
ROCKSPEC ?= rockspec/factorio-mocks-$(VERSION)-1.rockspec
ROCK_LUAS ?= 5.1 5.2 5.3 5.4
binary-rock: deps
	@scripts/binary-rock.sh $(ROCKSPEC) $(ROCK_LUAS)

# The built-in datasets (fixtures/builtin/, see its README): data.raw derived from the game's Lua
# by our own loader (DERIVE_VERSIONS; 2.0.77's is the game route's and stays, the spec checks the
# script reproduces it), the game's Lua with placeholders, and the locale archive.
BUILTIN_VERSIONS ?= 2.1.9 2.0.77
DERIVE_VERSIONS ?= 2.1.9
builtin-datasets:
	@$(MAKE) --no-print-directory build LUA=lua5.2
	@for v in $(DERIVE_VERSIONS); do lua5.2 scripts/derive-data-raw.lua $(SHARED_DATA)/factorio-data/factorio-data-$$v.tar.gz fixtures/builtin/$$v/data-raw.json.gz || exit 1; done
	@for v in $(DERIVE_VERSIONS); do lua5.2 scripts/derive-data-raw.lua --expansions $(SHARED_DATA)/factorio-data/factorio-data-$$v.tar.gz fixtures/builtin/$$v/data-raw-expansions.json.gz || exit 1; done
	@python3 -c 'import gzip, json, sys; sys.stdout.buffer.write(json.dumps(json.load(gzip.open(sys.argv[1])), separators=(",", ":")).encode())' $(SHARED_DATA)/data-raw/space-age-2.0.77.json.gz | gzip -9 -n > fixtures/builtin/2.0.77/data-raw-expansions.json.gz
	@for v in $(BUILTIN_VERSIONS); do python3 scripts/pack-game-lua.py $$v $(SHARED_DATA)/factorio-data/factorio-data-$$v.tar.gz || exit 1; done
	@python3 scripts/pack-locale.py fixtures/builtin/locale-2.0.55.tar $(SHARED_DATA)/locale/core-2.0.55 $(SHARED_DATA)/locale/base-2.0.55

cli:
	env -u CC -u CFLAGS -u LDFLAGS $(CARGO) build --release --no-default-features --features cli --bin factorio-mocks
	@mkdir -p build
	cp target/release/factorio-mocks build/factorio-mocks

clean:
	rm -rf build

# The project's settings are in .luacheckrc and rustfmt.toml; make test runs this too.
lint: lint-lua lint-rust

lint-lua:
	luacheck lua spec bench scripts generator --no-color -q

lint-rust:
	$(CARGO) fmt --check
	$(CARGO) clippy --no-default-features --features cli --all-targets -- -D warnings
	$(CARGO) clippy --no-default-features --features module,lua52 -- -D warnings
