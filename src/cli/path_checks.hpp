#pragma once
// The check of options that name a file or a directory: an empty name is refused, not
// taken as the option left out (`--log ''` wrote no log and said nothing).
//
//   cmd->add_option("--log", flags.log, "...")->check(file_name());
//   --log: expected a path, got an empty one

#include <CLI/CLI.hpp>

namespace glassnet::cli {

CLI::Validator file_name();

}  // namespace glassnet::cli
