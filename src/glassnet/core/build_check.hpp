#pragma once
// The build a translation unit is compiled for, as a symbol every one refers to: the
// scalar type (GLASSNET_DOUBLE) and the vector width Eigen aligns its types to (AVX-512,
// AVX or SSE, which -march decides), both of which change the layout of the types that
// cross glassnet's headers. The library defines only the symbol of its own build, so a
// program compiled with other flags (without -march=native, say) fails to link, naming
// glassnet_built_for_<scalar>_<vector>, instead of corrupting memory when it runs.

#if defined(GLASSNET_DOUBLE) && GLASSNET_DOUBLE
#define GLASSNET_BUILD_SCALAR double
#else
#define GLASSNET_BUILD_SCALAR float
#endif
#if defined(__AVX512F__)
#define GLASSNET_BUILD_VECTOR avx512
#elif defined(__AVX__)
#define GLASSNET_BUILD_VECTOR avx
#else
#define GLASSNET_BUILD_VECTOR sse
#endif
#define GLASSNET_BUILD_NAME_OF(scalar, vector) glassnet_built_for_##scalar##_##vector
#define GLASSNET_BUILD_NAME(scalar, vector) GLASSNET_BUILD_NAME_OF(scalar, vector)
#define GLASSNET_BUILD_SYMBOL GLASSNET_BUILD_NAME(GLASSNET_BUILD_SCALAR, GLASSNET_BUILD_VECTOR)

extern "C" {
extern const int GLASSNET_BUILD_SYMBOL;  // defined in core/build_check.cpp
}

namespace glassnet::detail {
// Emitted in every translation unit (`used`), so that the reference reaches the linker.
[[maybe_unused]] __attribute__((used)) static const int* const build_check = &GLASSNET_BUILD_SYMBOL;
}  // namespace glassnet::detail
