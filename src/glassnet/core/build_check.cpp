#include "glassnet/core/build_check.hpp"

extern "C" {
const int GLASSNET_BUILD_SYMBOL = 1;
}
