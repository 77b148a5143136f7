#include "cli/unknown_arguments.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cstddef>

namespace glassnet::cli {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The edits that turn one name into the other: a letter added, dropped or changed, or
// two neighbours swapped (optimal string alignment).
std::size_t edits(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// The words of a name or a description, lower-cased: "learning-rate" → {"learning",
// "rate"}; "Learning-rate schedule" → {"learning", "rate", "schedule"}.
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  return words;
}

constexpr std::size_t kMostSuggested = 3;
constexpr std::size_t kShortestWord = 3;  // shorter words ("x", "in") match too much help text

}  // namespace

std::vector<std::string> resembling(const CLI::App& command, const std::string& name) {
  std::vector<std::string> words = words_of(name);
  std::erase_if(words, [](const std::string& w) { return w.size() < kShortestWord; });
  const auto holds_words = [&](const std::string& text) {
    const std::vector<std::string> held = words_of(text);
    return !words.empty() && std::all_of(words.begin(), words.end(), [&](const std::string& w) {
      return std::find(held.begin(), held.end(), w) != held.end();
    });
  };
  std::vector<std::string> spelled, named, described;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& candidate : option->get_lnames()) {
      if (edits(lower(name), candidate) <= std::max<std::size_t>(1, name.size() / 4)) {
        spelled.push_back("--" + candidate);
      } else if (holds_words(candidate)) {
        named.push_back("--" + candidate);
      } else if (holds_words(option->get_description())) {
        described.push_back("--" + candidate);
      }
    }
  }
  std::vector<std::string> out = !spelled.empty() ? spelled : !named.empty() ? named : described;
  if (out.size() > kMostSuggested) out.resize(kMostSuggested);
  return out;
}

bool is_option(const std::string& word) {
  const std::size_t name = word.find_first_not_of('-');
  return name != std::string::npos && name > 0 && word[name] != '=' &&
         !std::isdigit(static_cast<unsigned char>(word[name])) && word[name] != '.';
}

std::string unknown_arguments_message(const std::string& where, const CLI::App& command,
                                      const std::vector<std::string>& extras) {
  std::vector<std::string> parts;
  bool after_option = false;  // the words after an unknown option are its values
  bool options_ended = false;  // after "--", every word is an argument
  for (const std::string& word : extras) {
    if (word == "--" && !options_ended) {
      options_ended = true;
      after_option = false;
      continue;
    }
    if (options_ended || !is_option(word)) {
      if (!after_option) parts.push_back(fmt::format("unexpected argument '{}'", word));
      continue;
    }
    const std::string name = word.substr(0, word.find('='));
    const std::string bare = name.substr(name.find_first_not_of('-'));
    if (command.get_option_no_throw(name) != nullptr) {  // a known option left over: it came after "--"
      parts.push_back(fmt::format("unexpected argument '{}' (after '--', no word is read as an option)", word));
      continue;
    }
    after_option = true;
    const std::vector<std::string> similar = resembling(command, bare);
    parts.push_back(similar.empty()
                        ? fmt::format("unknown option {}", name)
                        : fmt::format("unknown option {} (did you mean {}?)", name, fmt::join(similar, " or ")));
  }
  return fmt::format("{}: {}; {} --help lists its options", where, fmt::join(parts, "; "), where);
}

}  // namespace glassnet::cli
