# Switchyard: the two commands are `make demo` and `make test`. Both install what is missing
# (Debian packages, as root or through sudo), configure, build and run.
BUILD ?= build
MESON_TEST = meson test -C $(1) --num-processes 2 --print-errorlogs

.PHONY: all deps build test demo sanitize asan tsan bench format clean

all: build

deps:
	@tools/install-deps build

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The last line printed is "N passed, N failed, N skipped", which CI reads.
test: build
	@$(call MESON_TEST,$(BUILD)) ; python3 tests/summarize.py $(BUILD)/meson-logs/testlog.json

demo: build
	tools/run-demo $(BUILD)

# ASan+UBSan over the whole suite, then TSan over the suites it can follow (docs/sanitizers.md:
# it cannot follow the fiber switches of Debian's Boost build).
sanitize: asan tsan

asan:
	@tools/install-deps sanitize
	@test -f build-asan/build.ninja || CC=clang CXX=clang++ meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
	ninja -C build-asan
	@$(call MESON_TEST,build-asan) --setup=asan ; python3 tests/summarize.py build-asan/meson-logs/testlog-asan.json

tsan:
	@tools/install-deps sanitize
	@test -f build-tsan/build.ninja || CC=clang CXX=clang++ meson setup build-tsan -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debug
	ninja -C build-tsan
	@$(call MESON_TEST,build-tsan) --setup=tsan ; python3 tests/summarize.py build-tsan/meson-logs/testlog-tsan.json

bench: build
	@tools/install-deps bench
	ninja -C $(BUILD)
	bench/run $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) build-asan build-tsan
