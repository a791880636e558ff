# Switchyard: the two commands are `make demo` and `make test`. Both install what is missing
# (Debian packages, as root or through sudo), configure, build and run.
BUILD ?= build
MESON_TEST = meson test -C $(1) --num-processes 2 --print-errorlogs

.PHONY: all deps test-deps bench-deps sanitize-deps build test demo sanitize asan tsan bench format clean

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
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The last line printed is "N passed, N failed, N skipped", which CI reads. An existing build
# is configured again, so that MPI, installed by test-deps, is found and its tests built.
test: test-deps
	@if test -f $(BUILD)/build.ninja; then meson setup --reconfigure $(BUILD) >/dev/null; else meson setup $(BUILD); fi
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
	@test -f build-$@/build.ninja || CC=clang CXX=clang++ meson setup build-$@ -Db_sanitize=$(SAN_$@) -Db_lundef=false -Dbuildtype=debug
	ninja -C build-$@
	@$(call MESON_TEST,build-$@) --setup=$@ ; python3 tests/summarize.py build-$@/meson-logs/testlog-$@.json

# Bench's packages go in before the build is configured, and an existing build is configured
# again, so that the targets they enable (switchyard-micro, the oneTBB peer) are built.
bench: bench-deps
	@if test -f $(BUILD)/build.ninja; then meson setup --reconfigure $(BUILD); else meson setup $(BUILD); fi
	ninja -C $(BUILD)
	python3 bench/suite.py --build $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) build-asan build-tsan
