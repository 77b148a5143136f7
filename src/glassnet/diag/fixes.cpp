#include "glassnet/diag/fixes.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <sstream>
#include <vector>

namespace glassnet {
namespace {

std::optional<double> number(const std::string& text) {
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// field = parse(value) when it parses.
template <typename Field, typename Parse>
bool parsed(Field& field, Parse parse, const std::string& value) {
  const auto v = parse(value);
  if (v) field = *v;
  return v.has_value();
}

// One option with its value (empty for --residual) applied to c; false if unknown.
bool apply_option(RunConfig& c, const std::string& option, const std::string& value) {
  const auto count = [&](Index& field) {
    const auto n = number(value);
    if (!n || *n < 0 || *n != static_cast<double>(static_cast<Index>(*n))) return false;
    field = static_cast<Index>(*n);
    return true;
  };
  const auto real = [&](double& field) {
    const auto n = number(value);
    if (!n || *n < 0) return false;
    field = *n;
    return true;
  };
  if (option == "--activation") return parsed(c.activation, parse_activation, value);
  if (option == "--init") return parsed(c.init, parse_init, value);
  if (option == "--norm") return parsed(c.norm, parse_normalization, value);
  if (option == "--task") return parsed(c.task, parse_task, value);
  if (option == "--monitor") return parsed(c.monitor, parse_monitor_level, value);
  if (option == "--residual") {
    c.residual = true;
    return true;
  }
  if (option == "--optimizer" || option == "--schedule") {
    static const std::vector<std::string> optimizers{"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop"};
    static const std::vector<std::string> schedules{"none", "step", "exp", "cosine", "plateau"};
    const auto& known = option == "--optimizer" ? optimizers : schedules;
    if (std::find(known.begin(), known.end(), value) == known.end()) return false;
    (option == "--optimizer" ? c.optimizer : c.schedule) = value;
    return true;
  }
  if (option == "--class-weight") {
    if (value != "balanced" && value != "none") return false;
    c.balanced_class_weights = value == "balanced";
    return true;
  }
  if (option == "--ignore") {
    std::istringstream names(value);
    for (std::string name; std::getline(names, name, ',');) {
      if (name.empty()) return false;
      if (std::find(c.ignore.begin(), c.ignore.end(), name) == c.ignore.end()) c.ignore.push_back(name);
    }
    return true;
  }
  if (option == "--lr") return real(c.learning_rate) && c.learning_rate > 0;
  if (option == "--clip-norm") return real(c.clip_norm);
  if (option == "--dropout") return real(c.dropout) && c.dropout < 1.0;
  if (option == "--weight-decay") return real(c.weight_decay);
  if (option == "--early-stopping") return count(c.early_stopping);
  if (option == "--batch-size") return count(c.batch_size) && c.batch_size > 0;
  return false;
}

// The initialiser a network is built with: `auto` is Xavier (normal) for every layer
// of a network without ReLUs (nn/sequential.cpp), so `--init xavier` changes nothing
// there; with ReLUs it mixes He and Xavier, as no single scheme does.
InitScheme built_init(const RunConfig& c) {
  return c.init == InitScheme::automatic && !is_relu_family(c.activation) ? InitScheme::xavier_normal : c.init;
}

bool same(const RunConfig& a, const RunConfig& b) {
  return a.activation == b.activation && built_init(a) == built_init(b) && a.norm == b.norm && a.task == b.task &&
         a.monitor == b.monitor && a.residual == b.residual && a.optimizer == b.optimizer && a.schedule == b.schedule &&
         a.balanced_class_weights == b.balanced_class_weights && a.learning_rate == b.learning_rate &&
         a.clip_norm == b.clip_norm && a.dropout == b.dropout && a.weight_decay == b.weight_decay &&
         a.early_stopping == b.early_stopping && a.batch_size == b.batch_size && a.standardize == b.standardize &&
         a.ignore == b.ignore;
}

// `config` with `fix` applied (changed or not), or nothing when the fix is not options.
std::optional<RunConfig> applied(const RunConfig& config, const std::string& fix) {
  RunConfig changed = config;
  if (fix == "drop --no-standardize") {
    changed.standardize = true;
  } else {
    std::string text = fix.substr(0, fix.find(" ("));  // "--task multiclass (softmax ...)"
    std::istringstream words(text);
    std::vector<std::string> tokens;
    for (std::string w; words >> w;) tokens.push_back(w);
    if (tokens.empty()) return std::nullopt;
    for (std::size_t i = 0; i < tokens.size();) {
      const std::string& option = tokens[i];
      if (option.rfind("--", 0) != 0) return std::nullopt;
      const bool takes_value = option != "--residual";
      if (takes_value && i + 1 >= tokens.size()) return std::nullopt;
      if (!apply_option(changed, option, takes_value ? tokens[i + 1] : std::string())) return std::nullopt;
      i += takes_value ? 2 : 1;
    }
  }
  return changed;
}

}  // namespace

bool apply_fix(RunConfig& config, const std::string& fix) {
  const std::optional<RunConfig> changed = applied(config, fix);
  if (!changed || same(*changed, config)) return false;
  config = *changed;
  return true;
}

void drop_unusable_fixes(Finding& finding, const RunConfig& config) {
  std::erase_if(finding.fixes, [&](const std::string& fix) {
    const std::optional<RunConfig> changed = applied(config, fix);
    return changed && (same(*changed, config) || untrainable(*changed));
  });
}

void drop_unusable_fixes(std::vector<Finding>& findings, const RunConfig& config) {
  for (Finding& f : findings) drop_unusable_fixes(f, config);
}

void leave_out_fixes(std::vector<Finding>& findings, const std::vector<std::string>& fixes) {
  for (Finding& f : findings) {
    std::erase_if(f.fixes,
                  [&](const std::string& fix) { return std::find(fixes.begin(), fixes.end(), fix) != fixes.end(); });
  }
}

}  // namespace glassnet
