# Switchyard: the two commands are `make demo` and `make test`. Both install what is missing
# (Debian packages, as root or through sudo), configure, build and run.
BUILD ?= build
# Warnings are errors in the project's own builds (these targets, and so CI), never in a user's
# or a distribution's: meson.build leaves werror at meson's default, off.
DEV_OPTIONS = -Dwerror=true
MESON_TEST = meson test -C $(1) --num-processes 2 --print-errorlogs

.PHONY: all deps test-deps bench-deps sanitize-deps build release test demo sanitize asan tsan fuzz bench format clean

all: build

deps:
	@tools/install-deps build

# The tests also need Chromium, for the report's rendering test. After `deps`, so that under -j
# the two apt-get runs never overlap.
test-deps: deps
	@tools/install-deps test

bench-deps:
	@tools/install-deps bench

sanitize-deps:
	@tools/install-deps sanitize

# Order-only: under -j the build is configured only once the packages are in.
$(BUILD)/build.ninja: | deps
	meson setup $(DEV_OPTIONS) $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The release build type (-O3, NDEBUG) warns where debugoptimized does not: CI builds it too.
release: test-deps
	@test -f build-release/build.ninja || meson setup $(DEV_OPTIONS) --buildtype=release build-release
	ninja -C build-release

# The last line printed is "N passed, N failed, N skipped", which CI reads. An existing build
# is configured again, so that MPI, installed by test-deps, is found and its tests built.
test: test-deps
	@if test -f $(BUILD)/build.ninja; then meson setup --reconfigure $(DEV_OPTIONS) $(BUILD) >/dev/null; else meson setup $(DEV_OPTIONS) $(BUILD); fi
	ninja -C $(BUILD)
	@$(call MESON_TEST,$(BUILD)) ; python3 tests/summarize.py $(BUILD)/meson-logs/testlog.json

demo: build
	tools/run-demo $(BUILD)

# ASan+UBSan over the whole suite, then TSan over the runtime's suites, fibers included
# (docs/sanitizers.md says what each leaves out, and why).
sanitize: asan tsan

SAN_asan := address,undefined
SAN_tsan := thread

asan tsan: sanitize-deps
	@test -f build-$@/build.ninja || CC=clang CXX=clang++ meson setup $(DEV_OPTIONS) build-$@ -Db_sanitize=$(SAN_$@) -Db_lundef=false -Dbuildtype=debug
	ninja -C build-$@
	@$(call MESON_TEST,build-$@) --setup=$@ ; python3 tests/summarize.py build-$@/meson-logs/testlog-$@.json

# The libFuzzer targets of tests/fuzz (docs/fuzzing.md), under ASan+UBSan, in build-fuzz: each
# target's committed inputs are replayed, then each fuzzes for FUZZ_SECONDS (20 by default).
# Fails when an input crashes a target; its file is kept in build-fuzz/fuzz-crashes/.
FUZZ_SECONDS ?= 20
fuzz: sanitize-deps
	@test -f build-fuzz/build.ninja || CC=clang CXX=clang++ meson setup $(DEV_OPTIONS) build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Dtests=false -Dbenchmarks=disabled -Dmpi=disabled
	ninja -C build-fuzz fuzzers
	meson test -C build-fuzz --no-rebuild --suite fuzz --num-processes 2 --print-errorlogs
	tests/fuzz/run-fuzzers build-fuzz $(FUZZ_SECONDS)

# Bench's packages go in before the build is configured, and an existing build is configured
# again, so that the targets they enable (switchyard-micro, the oneTBB peer) are built.
bench: bench-deps
	@if test -f $(BUILD)/build.ninja; then meson setup --reconfigure $(DEV_OPTIONS) $(BUILD); else meson setup $(DEV_OPTIONS) $(BUILD); fi
	ninja -C $(BUILD)
	python3 bench/suite.py --build $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) build-release build-asan build-tsan build-fuzz
