#pragma once
// `--config FILE.toml` for a subcommand: every other option of the subcommand may be
// given in the file (io/config_file.hpp); options on the command line override it.

#include <CLI/CLI.hpp>
#include <string>

namespace glassnet::cli {

// Registers --config on `command`, storing the path in `path`.
void add_config_option(CLI::App& command, std::string& path);

// Gives each option of `command` that the command line left unset its value from the
// file, with the option's own checks. Call from the subcommand's callback, before the
// options are used. A key that names no option, a value the option rejects, or an option
// given with one it excludes, is an Error naming the file, line and column.
void apply_config(CLI::App& command, const std::string& path);

}  // namespace glassnet::cli
