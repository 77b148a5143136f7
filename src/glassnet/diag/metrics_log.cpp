#include "glassnet/diag/metrics_log.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>

#include "glassnet/core/error.hpp"
#include "glassnet/diag/finding_json.hpp"
#include "glassnet/diag/repair_json.hpp"

namespace glassnet {
namespace {

// A number as JSON: the shortest text that reads back the same; null when not finite.
template <typename T>
void number(std::string& out, T value) {
  if (std::isfinite(value)) {
    fmt::format_to(std::back_inserter(out), "{}", value);
  } else {
    out += "null";
  }
}

template <typename T>
void numbers(std::string& out, const T* values, std::size_t n) {
  out += '[';
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ',';
    number(out, values[i]);
  }
  out += ']';
}

nlohmann::json histogram_json(const LogHistogram& h) {
  return {{"bins", h.bins}, {"zeros", h.zeros}, {"below", h.below}, {"above", h.above}, {"non_finite", h.non_finite}};
}

}  // namespace

MetricsLog::MetricsLog(const std::filesystem::path& path, Open open) : path_(path) {
  file_ = std::fopen(path.c_str(), open == Open::create ? "wb" : "ab");
  if (file_ == nullptr) throw Error(fmt::format("--log {}: cannot open the file for writing", path.string()));
  buffer_.reserve(1 << 16);
}

void MetricsLog::rename(const std::filesystem::path& to) {
  flush();
  std::filesystem::rename(path_, to);
  path_ = to;
}

MetricsLog::~MetricsLog() {
  if (file_ == nullptr) return;
  if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  std::fclose(file_);
}

void MetricsLog::line(const nlohmann::ordered_json& object) {
  buffer_ += object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  buffer_ += '\n';
}

void MetricsLog::line(std::string_view type, const nlohmann::json& fields) {
  nlohmann::ordered_json object = {{"type", type}};
  for (const auto& [key, value] : fields.items()) object[key] = value;
  line(object);
}

void MetricsLog::write_run(const nlohmann::json& run) {
  nlohmann::ordered_json object = {{"type", "run"}, {"schema", kMetricsLogSchema}, {"version", kMetricsLogVersion}};
  for (const auto& [key, value] : run.items()) object[key] = value;
  line(object);
}

void MetricsLog::write_layout(const MonitorSeries& series, const MonitorOptions& options, Index probe_every) {
  std::vector<std::string_view> roles;
  for (ParamRole r : series.roles) roles.push_back(param_role_name(r));
  nlohmann::json activations = nlohmann::json::array();
  for (const ProbedLayer& p : series.probed) {
    activations.push_back({{"layer", p.name}, {"activation", activation_name(p.activation)}, {"units", p.width}});
  }
  nlohmann::ordered_json object = {{"type", "layout"},
                                   {"params", series.params},
                                   {"roles", roles},
                                   {"activations", activations},
                                   {"monitor", monitor_level_name(options.level)},
                                   {"probe_every", probe_every}};
  if (options.level == MonitorLevel::full) {
    object["histogram"] = {
        {"bins", kHistogramBins}, {"lowest_log10", kHistogramLowestLog10}, {"bin_width_log10", kHistogramBinWidth}};
  }
  line(object);
}

void MetricsLog::write_step(const MonitorSeries& s, Index index) {
  const auto i = static_cast<std::size_t>(index);
  const std::size_t n = s.params.size();
  fmt::format_to(std::back_inserter(buffer_), R"({{"type":"step","step":{},"epoch":{},"loss":)", s.steps[i],
                 s.epochs[i]);
  number(buffer_, s.loss[i]);
  buffer_ += R"(,"lr":)";
  number(buffer_, s.learning_rate[i]);
  buffer_ += R"(,"grad_norm":)";
  number(buffer_, s.grad_norm[i]);
  buffer_ += R"(,"param_grad_norm":)";
  numbers(buffer_, s.param_grad_norm.data() + i * n, n);
  buffer_ += R"(,"param_weight_norm":)";
  numbers(buffer_, s.param_weight_norm.data() + i * n, n);
  buffer_ += R"(,"update_ratio":)";
  numbers(buffer_, s.param_update_ratio.data() + i * n, n);
  buffer_ += "}\n";
}

void MetricsLog::write_probe(const MonitorSeries& s, Index index) {
  const auto p = static_cast<std::size_t>(index);
  const std::size_t layers = s.probed.size();
  fmt::format_to(std::back_inserter(buffer_), R"({{"type":"probe","step":{},"layers":[)", s.probe_steps[p]);
  for (std::size_t l = 0; l < layers; ++l) {
    const ActivationStats& a = s.activation[p * layers + l];
    if (l > 0) buffer_ += ',';
    buffer_ += R"({"pre_mean":)";
    number(buffer_, a.pre_mean);
    buffer_ += R"(,"pre_std":)";
    number(buffer_, a.pre_std);
    buffer_ += R"(,"saturated":)";
    number(buffer_, a.saturated);
    buffer_ += R"(,"dead":)";
    number(buffer_, a.dead);
    buffer_ += R"(,"post_std":)";
    number(buffer_, a.post_std);
    buffer_ += '}';
  }
  buffer_ += ']';
  if (!s.activation_histograms.empty()) {
    nlohmann::json activation = nlohmann::json::array(), gradient = nlohmann::json::array();
    for (std::size_t l = 0; l < layers; ++l)
      activation.push_back(histogram_json(s.activation_histograms[p * layers + l]));
    const std::size_t n = s.params.size();
    for (std::size_t k = 0; k < n; ++k) gradient.push_back(histogram_json(s.gradient_histograms[p * n + k]));
    buffer_ += R"(,"activation_histograms":)" + activation.dump() + R"(,"gradient_histograms":)" + gradient.dump();
  }
  buffer_ += "}\n";
}

void MetricsLog::write_epoch(const EpochLogs& logs, const nlohmann::json* metrics) {
  nlohmann::ordered_json object = {
      {"type", "epoch"},
      {"epoch", logs.epoch},
      {"train_loss", std::isfinite(logs.train_loss) ? nlohmann::json(logs.train_loss) : nullptr},
      {"val_loss", logs.val_loss && std::isfinite(*logs.val_loss) ? nlohmann::json(*logs.val_loss) : nullptr},
      {"train_accuracy", logs.train_accuracy ? nlohmann::json(*logs.train_accuracy) : nullptr},
      {"val_accuracy", logs.val_accuracy ? nlohmann::json(*logs.val_accuracy) : nullptr},
      {"lr", logs.learning_rate},
      {"seconds", logs.seconds}};
  if (metrics != nullptr) object["metrics"] = *metrics;
  line(object);
}

void MetricsLog::write_finding(const Finding& finding, Index epoch, Index step) {
  line({{"type", "finding"}, {"epoch", epoch}, {"step", step}, {"finding", finding_json(finding)}});
}

void MetricsLog::write_rollback(const RollbackEvent& e) { line("rollback", rollback_json(e)); }

void MetricsLog::write_end(const nlohmann::json& end) { line("end", end); }

void MetricsLog::write_repair(const nlohmann::json& repair) { line("repair", repair); }

void MetricsLog::flush() {
  if (buffer_.empty()) return;
  const std::size_t size = buffer_.size();
  const std::size_t written = std::fwrite(buffer_.data(), 1, size, file_);
  buffer_.clear();
  if (written != size || std::fflush(file_) != 0) {
    throw Error(fmt::format("--log {}: writing failed", path_.string()));
  }
}

void append_repair(const std::filesystem::path& log, const nlohmann::json& repair) {
  MetricsLog appended(log, MetricsLog::Open::append);
  appended.write_repair(repair);
  appended.flush();
}

}  // namespace glassnet
