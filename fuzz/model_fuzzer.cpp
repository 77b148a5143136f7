// libFuzzer target: the model loader (safetensors parsing and every validation of a
// model file). Any input must load or be rejected with glassnet::Error; a loaded model
// must predict without crashing.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "glassnet/core/error.hpp"
#include "glassnet/io/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto* begin = reinterpret_cast<const std::byte*>(data);
  const std::vector<std::byte> bytes(begin, begin + size);
  try {
    glassnet::Model model = glassnet::decode_model(bytes, "fuzz.safetensors");
    const glassnet::Matrix x = glassnet::Matrix::Ones(2, model.network->spec().in_features);
    model.network->predict(x);
  } catch (const glassnet::Error&) {
  }
  return 0;
}
