#include "cli/path_checks.hpp"

#include <string>

namespace glassnet::cli {

CLI::Validator file_name() {
  return CLI::Validator(
      [](const std::string& value) {
        return value.empty() ? std::string("expected a path, got an empty one") : std::string();
      },
      "PATH");
}

}  // namespace glassnet::cli
