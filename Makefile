# The README's two commands: `make demo` and `make test`. Both install what they need
# (scripts/install-deps.sh), configure, build and run.

JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -G Ninja -DGLASSNET_WERROR=ON

.PHONY: all deps build demo test test-stages test-release test-double test-sanitize test-fuzz sanitize-build clean
# One stage at a time: each uses every core, and the sanitizer tests and the fuzzers
# share one build directory.
.NOTPARALLEL:

all: build

deps:
	@bash scripts/install-deps.sh

# Release build: float, -O3, -march=native.
build: deps
	@cmake -S . -B build $(CMAKE_FLAGS) > build-configure.log || (cat build-configure.log; exit 1)
	@cmake --build build -j $(JOBS)

demo: build
	@./build/glassnet demo --dir build/demo

# The whole suite: the release build, the double-precision build (gradient checks at
# 1e-6), the AddressSanitizer + UndefinedBehaviorSanitizer build, and a bounded run of
# each fuzzer. .ci/run runs the stages one by one and prints each one's time.
TEST_STAGES = test-release test-double test-sanitize test-fuzz
test: $(TEST_STAGES)

test-stages:
	@echo $(TEST_STAGES)

test-release: build
	@cd build && ctest --output-on-failure -j $(JOBS)

# The double build is for the unit tests and the allocation test, where the gradient
# checks hold to 1e-6: it builds those alone (the command line's `gradcheck`, a thin
# caller of the same check, is tested in the release and sanitizer builds; building the
# command line here cost half a minute of CI). It skips the Incident outcome test, as the
# sanitizer run does: 30 epochs of training, precision-agnostic, which the release build
# runs.
DOUBLE_TARGETS = glassnet_unit_tests glassnet_allocation_test
DOUBLE_SKIPS = ^Incident\.|^gradcheck_cli_
test-double: deps
	@cmake -S . -B build-double $(CMAKE_FLAGS) -DGLASSNET_DOUBLE=ON -DGLASSNET_BUILD_EXAMPLES=OFF -DGLASSNET_BUILD_BENCHMARKS=OFF > /dev/null
	@cmake --build build-double -j $(JOBS) --target $(DOUBLE_TARGETS)
	@cd build-double && ctest --output-on-failure -j $(JOBS) -E '$(DOUBLE_SKIPS)'

# The sanitizer build is clang's, with AddressSanitizer, UBSan and libFuzzer's coverage
# instrumentation, and keeps assertions on (Debug, at -O1: see CMakeLists.txt): one
# library compiled once serves the unit and end-to-end tests and the fuzz targets
# (docs/testing.md).
# The sanitizer run skips the tests whose worth is an outcome of long training, not the
# code they reach, which the other tests reach too: the Incident tests (the 30-epoch
# training outcome and the end-to-end demo, 100 s and minutes under the sanitizers), the
# doctor's silence over 30 healthy runs (33 s) and the Fashion-MNIST example's accuracy
# (21 s). The release build runs them all (and the double build the doctor's). It also
# skips the gradients' accuracy over 224 random whole networks (29–40 s there), whose
# layers and losses the other gradient checks reach under the sanitizers, and which the
# release and double builds run (the double to 1e-6).
SANITIZE_SKIPS = ^Incident\.|^Doctor\.HealthyRunsRaiseNothingAboveInfo$$|^FashionMnistExample\.TrainsAndReportsTheTestAccuracy$$|^GradientCheck\.RandomWholeNetworks$$
SANITIZE_FLAGS = -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DGLASSNET_SANITIZE=ON -DGLASSNET_FUZZ=ON \
	-DGLASSNET_BUILD_BENCHMARKS=OFF
# A build-sanitize of GCC's (configured before the sanitizer build moved to clang) is
# removed first: when the compiler changes, CMake starts the cache again without the
# options given.
sanitize-build: deps
	@grep -qs '^CMAKE_CXX_COMPILER:.*clang' build-sanitize/CMakeCache.txt || rm -rf build-sanitize
	@cmake -S . -B build-sanitize $(CMAKE_FLAGS) $(SANITIZE_FLAGS) > /dev/null

test-sanitize: sanitize-build
	@cmake --build build-sanitize -j $(JOBS)
	@cd build-sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) -E '$(SANITIZE_SKIPS)'

# libFuzzer with AddressSanitizer and UBSan, in the sanitizer build: each target runs for
# FUZZ_SECONDS over its corpus (fuzz/corpus/<target>; new findings go to a scratch copy),
# two at a time (fuzz/run.sh). A crash, leak or sanitizer report fails the run and
# leaves the input in build-sanitize/.
FUZZ_SECONDS ?= 30
test-fuzz: sanitize-build
	@cmake --build build-sanitize -j $(JOBS) --target csv_fuzzer model_fuzzer config_fuzzer log_fuzzer
	@bash fuzz/run.sh build-sanitize $(FUZZ_SECONDS)

clean:
	rm -rf build build-double build-sanitize build-fuzz build-configure.log
