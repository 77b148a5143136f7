#pragma once
// The build a translation unit is compiled for, as a symbol every one that uses Eigen
// refers to: the scalar type (GLASSNET_DOUBLE), the alignment Eigen gives its types and
// allocations (EIGEN_MAX_ALIGN_BYTES: 64 with AVX-512, 32 with AVX, 16 with SSE, which
// -march decides, and 0 under EIGEN_DONT_VECTORIZE or EIGEN_DONT_ALIGN), and whether it
// takes memory from plain malloc (EIGEN_MALLOC_ALREADY_ALIGNED). Each changes the layout
// or the allocator of the matrices that cross glassnet's headers. The library defines
// only the symbol of its own build, so a program compiled with other flags (without
// -march=native, say) fails to link, naming glassnet_built_for_<scalar>_align<N>_malloc<M>,
// instead of corrupting memory when it runs. Included by core/matrix.hpp, after Eigen.

#include <Eigen/Core>

#if defined(GLASSNET_DOUBLE) && GLASSNET_DOUBLE
#define GLASSNET_BUILD_SCALAR double
#else
#define GLASSNET_BUILD_SCALAR float
#endif
#define GLASSNET_BUILD_NAME_OF(scalar, align, malloc) glassnet_built_for_##scalar##_align##align##_malloc##malloc
#define GLASSNET_BUILD_NAME(scalar, align, malloc) GLASSNET_BUILD_NAME_OF(scalar, align, malloc)
#define GLASSNET_BUILD_SYMBOL \
  GLASSNET_BUILD_NAME(GLASSNET_BUILD_SCALAR, EIGEN_MAX_ALIGN_BYTES, EIGEN_MALLOC_ALREADY_ALIGNED)

extern "C" {
extern const int GLASSNET_BUILD_SYMBOL;  // defined in core/build_check.cpp
}

namespace glassnet::detail {
// Emitted in every translation unit (`used`), so that the reference reaches the linker.
[[maybe_unused]] __attribute__((used)) static const int* const build_check = &GLASSNET_BUILD_SYMBOL;
}  // namespace glassnet::detail
