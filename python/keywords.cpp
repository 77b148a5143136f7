#include "keywords.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "cli/config_option.hpp"
#include "cli/unknown_arguments.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/data/table.hpp"
#include "glassnet/io/config_file.hpp"

namespace glassnet::python {
namespace {

// Keyword arguments as `app`'s command-line words: name=value → --name value
// (underscores as dashes), lists, tuples and 1-D arrays joined by commas, True (Python's
// or numpy's) → the flag alone, False and None → nothing. A name that is no option of
// `app` is an Error, and so are True for an option that takes a value (not a flag
// followed by the next option as its value) and anything but a bool for a flag.
std::vector<std::string> words_of(const py::kwargs& options, const CLI::App& app) {
  std::vector<std::string> words;
  for (const auto& [key, value] : options) {
    std::string flag = "--";
    for (char ch : py::str(key).cast<std::string>()) flag += ch == '_' ? '-' : ch;
    const CLI::Option* option = app.get_option_no_throw(flag);
    if (option == nullptr) {
      std::vector<std::string> similar;
      for (std::string name : cli::resembling(app, flag.substr(2))) {
        std::replace(name.begin(), name.end(), '-', '_');
        similar.push_back(name.substr(2) + "=");
      }
      throw Error(
          fmt::format("{}=: not an option of fit{}; its options are those of glassnet train, with "
                      "underscores for dashes (help(glassnet.fit), docs/python.md)",
                      py::str(key).cast<std::string>(),
                      similar.empty() ? "" : fmt::format(" (did you mean {}?)", fmt::join(similar, " or "))));
    }
    if (value.is_none()) continue;
    const bool numpy_bool = py::isinstance(value, py::module_::import("numpy").attr("bool_"));
    const bool is_flag = option->get_expected_max() == 0;
    if (py::isinstance<py::bool_>(value) || numpy_bool) {
      if (!value.cast<bool>()) continue;
      if (!is_flag) {
        throw Error(fmt::format("{}=True: {} takes a value, not True", py::str(key).cast<std::string>(), flag));
      }
      words.push_back(flag);
      continue;
    }
    if (is_flag) {  // (CLI11: "The following argument was not expected: 1")
      throw Error(fmt::format("{}={}: a flag; expected True or False", py::str(key).cast<std::string>(),
                              py::repr(value).cast<std::string>()));
    }
    words.push_back(flag);
    if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value) ||
        (py::isinstance<py::array>(value) && py::reinterpret_borrow<py::array>(value).ndim() == 1)) {
      std::string joined;
      for (const auto& item : value) {
        if (!joined.empty()) joined += ',';
        joined += py::str(item).cast<std::string>();
      }
      words.push_back(joined);
    } else {
      words.push_back(py::str(value).cast<std::string>());
    }
  }
  return words;
}

// The command line's options that name what X and y hold: refused, not ignored.
constexpr std::pair<const char*, const char*> kInputOptions[] = {
    {"data", "X holds the data"},
    {"labels", "y holds the targets"},
    {"target", "y is the target (X's columns are x0, x1, ...)"},
    {"help", "help(glassnet.fit) and docs/python.md list the keywords: the options of glassnet train"}};

}  // namespace

void parse_options(const py::kwargs& options, CLI::App& app, cli::RunFlags& flags) {
  for (const auto& [key, reason] : kInputOptions) {
    if (options.contains(key)) throw Error(fmt::format("{}=: not an option of fit: {}", key, reason));
  }
  add_run_options(app, flags, cli::RunCommand::train);
  std::vector<std::string> words = words_of(options, app);
  words.insert(words.begin(), {"--data", "X"});
  std::reverse(words.begin(), words.end());  // CLI11 reads its argument vector from the back
  try {
    app.parse(words);
  } catch (const CLI::ParseError& e) {
    throw Error(e.what());
  }
  if (flags.config_file.empty()) return;
  const ConfigFile file = read_config(flags.config_file);
  for (const ConfigEntry& entry : file.entries) {
    for (const auto& [key, reason] : kInputOptions) {
      if (entry.key == key)
        throw Error(fmt::format("{}: '{}' is not an option of fit: {}", file.location(entry), key, reason));
    }
  }
  cli::apply_config(app, flags.config_file);
}

std::string fix_as_keywords(std::string_view fix) {
  // train's option table, to tell flags from options of a value.
  static const CLI::App* const table = [] {
    static CLI::App app;
    static cli::RunFlags flags;
    add_run_options(app, flags, cli::RunCommand::train);
    return &app;
  }();
  std::vector<std::string> words;
  for (std::size_t at = 0; at < fix.size();) {
    const std::size_t end = std::min(fix.find(' ', at), fix.size());
    words.emplace_back(fix.substr(at, end - at));
    at = end + 1;
  }
  std::string out;
  bool listing = false;  // the last thing written was a keyword: a comma before the next
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    const CLI::Option* option = word.starts_with("--") ? table->get_option_no_throw(word) : nullptr;
    if (option == nullptr) {
      if (word == "drop" && i + 1 < words.size() && words[i + 1].starts_with("--")) continue;  // "drop --flag"
      out += (out.empty() ? "" : " ") + word;
      listing = false;
      continue;
    }
    std::string name = word.substr(2);
    std::replace(name.begin(), name.end(), '-', '_');
    std::string keyword;
    if (option->get_expected_max() == 0) {
      keyword = name + (i > 0 && words[i - 1] == "drop" ? "=False" : "=True");
    } else if (i + 1 < words.size() && !words[i + 1].starts_with("--") && !words[i + 1].starts_with("(")) {
      const std::string& value = words[++i];
      keyword = name + "=" + (parse_number(value) ? value : "\"" + value + "\"");
    } else {
      keyword = name + "=";
    }
    out += (out.empty() ? "" : listing ? ", " : " ") + keyword;
    listing = true;
  }
  return out;
}

}  // namespace glassnet::python
