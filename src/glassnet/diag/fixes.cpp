#include "glassnet/diag/fixes.hpp"

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
  if (option == "--activation") {
    const auto a = parse_activation(value);
    if (a) c.activation = *a;
    return a.has_value();
  }
  if (option == "--init") {
    const auto i = parse_init(value);
    if (i) c.init = *i;
    return i.has_value();
  }
  if (option == "--norm") {
    const auto n = parse_normalization(value);
    if (n) c.norm = *n;
    return n.has_value();
  }
  if (option == "--task") {
    const auto t = parse_task(value);
    if (t) c.task = *t;
    return t.has_value();
  }
  if (option == "--monitor") {
    const auto m = parse_monitor_level(value);
    if (m) c.monitor = *m;
    return m.has_value();
  }
  if (option == "--residual") {
    c.residual = true;
    return true;
  }
  if (option == "--optimizer" || option == "--schedule") {
    if (value.empty()) return false;
    (option == "--optimizer" ? c.optimizer : c.schedule) = value;
    return true;
  }
  if (option == "--class-weight") {
    if (value != "balanced" && value != "none") return false;
    c.balanced_class_weights = value == "balanced";
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

bool same(const RunConfig& a, const RunConfig& b) {
  return a.activation == b.activation && a.init == b.init && a.norm == b.norm && a.task == b.task &&
         a.monitor == b.monitor && a.residual == b.residual && a.optimizer == b.optimizer &&
         a.schedule == b.schedule && a.balanced_class_weights == b.balanced_class_weights &&
         a.learning_rate == b.learning_rate && a.clip_norm == b.clip_norm && a.dropout == b.dropout &&
         a.weight_decay == b.weight_decay && a.early_stopping == b.early_stopping && a.batch_size == b.batch_size &&
         a.standardize == b.standardize;
}

}  // namespace

bool apply_fix(RunConfig& config, const std::string& fix) {
  RunConfig changed = config;
  if (fix == "drop --no-standardize") {
    changed.standardize = true;
  } else {
    std::string text = fix.substr(0, fix.find(" ("));  // "--task multiclass (softmax ...)"
    std::istringstream words(text);
    std::vector<std::string> tokens;
    for (std::string w; words >> w;) tokens.push_back(w);
    if (tokens.empty()) return false;
    for (std::size_t i = 0; i < tokens.size();) {
      const std::string& option = tokens[i];
      if (option.rfind("--", 0) != 0) return false;
      const bool takes_value = option != "--residual";
      if (takes_value && i + 1 >= tokens.size()) return false;
      if (!apply_option(changed, option, takes_value ? tokens[i + 1] : std::string())) return false;
      i += takes_value ? 2 : 1;
    }
  }
  if (same(changed, config)) return false;
  config = changed;
  return true;
}

}  // namespace glassnet
