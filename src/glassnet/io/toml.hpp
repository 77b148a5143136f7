#pragma once
// toml++ as glassnet includes it: every file that uses toml++ includes this header, so
// that all of them see the same definitions.
//
// toml++ 3.3 (Debian 12) checks its parser's state with assertions, and where NDEBUG is
// defined tells the compiler to assume them (clang: __builtin_assume). One of them is
// false for input it otherwise rejects with a parse error: a table header whose name
// starts with a character that no key starts with (`[=a]`, `[,]`: parse_key). So
// toml++'s assertions are off, and its assumptions with them: such a header is the
// parse error toml++ reports after the assertion, not an abort or undefined behaviour.
// This matters where the parser is compiled from these headers — a build with
// -DGLASSNET_FUZZ=ON (TOML_HEADER_ONLY, CMakeLists.txt), such as make test's sanitizer
// build, whose tests and fuzzers both reach it — and not where it is Debian's shared
// library, compiled by GCC, which has no __builtin_assume.

#pragma push_macro("NDEBUG")
#undef NDEBUG
#define TOML_ASSERT(expr) static_cast<void>(0)
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")
