#include "cli/config_option.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "cli/path_checks.hpp"
#include "cli/unknown_arguments.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/data/table.hpp"
#include "glassnet/io/config_file.hpp"

namespace glassnet::cli {

void add_config_option(CLI::App& command, std::string& path) {
  command.add_option("--config", path, "TOML file with options (keys are option names); flags override it")
      ->check(file_name());
}

ConfigOrigins apply_config(CLI::App& command, const std::string& path) {
  ConfigOrigins origins;
  if (path.empty()) return origins;
  const ConfigFile config = read_config(path);
  for (const ConfigEntry& entry : config.entries) {
    if (entry.key == "config" || entry.key == "help") {  // (a file names no other file, and asks for no help)
      throw Error(fmt::format("{}: '{}' is an option of the command line only, not of a config file",
                              config.location(entry), entry.written));
    }
    CLI::Option* option = command.get_option_no_throw("--" + entry.key);
    if (option == nullptr) {
      // The keys it resembles, else every key there is.
      std::vector<std::string> known;
      for (const std::string& similar : resembling(command, entry.key)) known.push_back(similar.substr(2));
      const bool guessed = !known.empty();
      if (!guessed) {
        for (const CLI::Option* o : command.get_options()) {
          const auto& names = o->get_lnames();
          if (!names.empty() && names.front() != "config" && names.front() != "help") known.push_back(names.front());
        }
      }
      throw Error(fmt::format("{}: '{}' is not an option of glassnet {} ({})", config.location(entry), entry.written,
                              command.get_name(),
                              guessed ? fmt::format("did you mean {}?", fmt::join(known, " or "))
                                      : fmt::format("options: {}", fmt::join(known, ", "))));
    }
    if (option->count() > 0) continue;  // given on the command line: it wins
    if (entry.array && option->get_items_expected_max() <= 1) {
      throw Error(fmt::format("{}: '{}' takes one value, not an array", config.location(entry), entry.written));
    }
    if (entry.array && entry.values.empty()) {
      throw Error(fmt::format("{}: '{}' holds an empty array; expected one value or more", config.location(entry),
                              entry.written));
    }
    // A flag is true or false; an option of a value takes no boolean (CLI11 read any
    // number as a flag's value, and `out = true` would be a file named "true").
    const bool flag = option->get_expected_max() == 0;
    if (flag && !entry.boolean) {
      throw Error(fmt::format("{}: '{}' is a flag: expected true or false, got {}", config.location(entry),
                              entry.written,
                              entry.array ? std::string("an array") : "'" + quoted_value(entry.values.front()) + "'"));
    }
    if (!flag && entry.boolean) {
      throw Error(fmt::format("{}: '{}' takes a value, not the boolean {}", config.location(entry), entry.written,
                              entry.values.front()));
    }
    try {
      for (const std::string& value : entry.values) option->add_result(value);
      option->run_callback();
    } catch (const CLI::Error& e) {
      throw Error(fmt::format("{}: {}", config.location(entry), e.what()));
    }
    origins[option->get_name()] = config.location(entry);
  }
  // Options that exclude each other (--val-data and --val-split), whether both came from
  // the file or one from the command line: CLI11 checked only the command line.
  for (const ConfigEntry& entry : config.entries) {
    const CLI::Option* option = command.get_option("--" + entry.key);
    for (const CLI::Option* other : option->get_excludes()) {
      if (other->count() == 0) continue;
      throw Error(
          fmt::format("{}: '{}' cannot be given with {}", config.location(entry), entry.written, other->get_name()));
    }
  }
  return origins;
}

std::string with_config_origin(const std::string& message, const ConfigOrigins& origins) {
  // The options the message names, in order: "--" and the letters, digits and dashes after it.
  std::vector<std::string> named;
  for (std::size_t at = message.find("--"); at != std::string::npos; at = message.find("--", at + 2)) {
    if (at > 0 && message[at - 1] != ' ' && message[at - 1] != '(' && message[at - 1] != '`') continue;
    std::size_t end = at + 2;
    while (end < message.size() && (std::isalnum(static_cast<unsigned char>(message[end])) || message[end] == '-')) {
      ++end;
    }
    if (end > at + 2) named.push_back(message.substr(at, end - at));
  }
  const bool leads = message.starts_with("--") && !named.empty();
  std::string out = message;
  if (leads) {
    if (const auto found = origins.find(named.front()); found != origins.end()) {
      out = fmt::format("{}: {}", found->second, message);
    }
  }
  // The others the file set: the setting the first option conflicts with may be there.
  std::vector<std::string> also;
  for (std::size_t i = leads ? 1 : 0; i < named.size(); ++i) {
    const auto found = origins.find(named[i]);
    const std::string line = found == origins.end() ? "" : fmt::format("{} sets {}", found->second, named[i]);
    if (!line.empty() && std::find(also.begin(), also.end(), line) == also.end()) also.push_back(line);
  }
  return also.empty() ? out : fmt::format("{} ({})", out, fmt::join(also, "; "));
}

}  // namespace glassnet::cli
