# The README's two commands: `make demo` and `make test`. Both install what they need
# (scripts/install-deps.sh), configure, build and run.

JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -G Ninja -DGLASSNET_WERROR=ON

.PHONY: all deps build demo test test-release test-double test-sanitize clean

all: build

deps:
	@bash scripts/install-deps.sh

# Release build: float, -O3, -march=native.
build: deps
	@cmake -S . -B build $(CMAKE_FLAGS) > build-configure.log || (cat build-configure.log; exit 1)
	@cmake --build build -j $(JOBS)

demo: build
	@./build/glassnet demo

# The whole suite: the release build, the double-precision build (gradient checks at
# 1e-6) and the AddressSanitizer + UndefinedBehaviorSanitizer build.
test: test-release test-double test-sanitize

test-release: build
	@cd build && ctest --output-on-failure -j $(JOBS)

test-double: deps
	@cmake -S . -B build-double $(CMAKE_FLAGS) -DGLASSNET_DOUBLE=ON -DGLASSNET_BUILD_EXAMPLES=OFF > /dev/null
	@cmake --build build-double -j $(JOBS)
	@cd build-double && ctest --output-on-failure -j $(JOBS)

# The sanitizer run skips the incident test: it is a 30-epoch training outcome
# (100 s under the sanitizers) that exercises no code the unit tests do not; the release
# and double builds run it.
test-sanitize: deps
	@cmake -S . -B build-sanitize $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGLASSNET_SANITIZE=ON > /dev/null
	@cmake --build build-sanitize -j $(JOBS)
	@cd build-sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) -E '^Incident\.'

clean:
	rm -rf build build-double build-sanitize build-configure.log
