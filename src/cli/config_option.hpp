#pragma once
// `--config FILE.toml` for a subcommand: every other option of the subcommand may be
// given in the file (io/config_file.hpp); options on the command line override it.

#include <CLI/CLI.hpp>
#include <map>
#include <string>

namespace glassnet::cli {

// Where the file set each option it gave: "--log" → "run.toml:3:7".
using ConfigOrigins = std::map<std::string, std::string>;

// Registers --config on `command`, storing the path in `path`.
void add_config_option(CLI::App& command, std::string& path);

// Gives each option of `command` that the command line left unset its value from the
// file, with the option's own checks. Call from the subcommand's callback, before the
// options are used. A key that names no option, a value the option rejects, or an option
// given with one it excludes, is an Error naming the file, line and column.
ConfigOrigins apply_config(CLI::App& command, const std::string& path);

// An Error about an option the file set is about that line of the file: its message,
// which names the option first ("--log needs the monitor: ..."), prefixed with where
// the file set it. Every other option the message names that the file set is named
// after it, with its line ("(run.toml:2:11 sets --monitor)"): the option given on the
// command line may conflict with the file's. A message that names no option the file
// set is left as it is.
std::string with_config_origin(const std::string& message, const ConfigOrigins& origins);

}  // namespace glassnet::cli
