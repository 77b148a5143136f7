#pragma once
// The one floating-point type of the library. float by default; the CMake option
// GLASSNET_DOUBLE builds everything in double, which the gradient checks use.

namespace glassnet {

#if defined(GLASSNET_DOUBLE) && GLASSNET_DOUBLE
using Scalar = double;
#else
using Scalar = float;
#endif

// Signed index type for sizes and loops, the same as Eigen's.
using Index = long;

// True in the double build.
inline constexpr bool kDoublePrecision = sizeof(Scalar) == sizeof(double);

}  // namespace glassnet
