// libFuzzer target: the TOML option-file reader (toml++ and the flattening into
// option values). Any input must parse or be rejected with glassnet::Error; anything
// else (a crash, a sanitizer report, another exception) is a bug.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "glassnet/core/error.hpp"
#include "glassnet/io/config_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const glassnet::ConfigFile config = glassnet::parse_config(text, "fuzz.toml");
    for (const auto& entry : config.entries) (void)config.location(entry);
  } catch (const glassnet::Error&) {
  }
  return 0;
}
