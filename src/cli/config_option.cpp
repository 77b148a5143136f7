#include "cli/config_option.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/path_checks.hpp"
#include "cli/unknown_arguments.hpp"
#include "glassnet/core/error.hpp"
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
    CLI::Option* option =
        entry.key == "config" || entry.key == "help" ? nullptr : command.get_option_no_throw("--" + entry.key);
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
      throw Error(fmt::format("{}: '{}' is not an option of glassnet {} ({})", config.location(entry), entry.key,
                              command.get_name(),
                              guessed ? fmt::format("did you mean {}?", fmt::join(known, " or "))
                                      : fmt::format("options: {}", fmt::join(known, ", "))));
    }
    if (option->count() > 0) continue;  // given on the command line: it wins
    if (entry.array && option->get_items_expected_max() <= 1) {
      throw Error(fmt::format("{}: '{}' takes one value, not an array", config.location(entry), entry.key));
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
          fmt::format("{}: '{}' cannot be given with {}", config.location(entry), entry.key, other->get_name()));
    }
  }
  return origins;
}

std::string with_config_origin(const std::string& message, const ConfigOrigins& origins) {
  if (!message.starts_with("--")) return message;
  const auto found = origins.find(message.substr(0, message.find_first_of(" :=")));
  return found == origins.end() ? message : fmt::format("{}: {}", found->second, message);
}

}  // namespace glassnet::cli
