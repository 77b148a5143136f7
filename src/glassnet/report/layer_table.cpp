#include "glassnet/report/layer_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>
#include <string_view>

#include "glassnet/diag/activation_stats.hpp"
#include "glassnet/diag/median.hpp"
#include "glassnet/nn/activations.hpp"

namespace glassnet {
namespace {

constexpr std::size_t kSparkPoints = 16;
constexpr std::array<std::string_view, 8> kBlocks = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

double finite_median(const std::vector<double>& values) {
  std::vector<double> finite;
  for (double v : values) {
    if (std::isfinite(v)) finite.push_back(v);
  }
  return median(std::move(finite));
}

// "layers.10.weight" after "layers.9": dotted names compared part by part, numbers as numbers.
bool network_order(const std::string& a, const std::string& b) {
  std::string_view x = a, y = b;
  while (!x.empty() && !y.empty()) {
    const std::string_view px = x.substr(0, x.find('.')), py = y.substr(0, y.find('.'));
    const bool nx = !px.empty() && std::all_of(px.begin(), px.end(), ::isdigit);
    const bool ny = !py.empty() && std::all_of(py.begin(), py.end(), ::isdigit);
    if (px != py) {
      if (nx && ny) return px.size() != py.size() ? px.size() < py.size() : px < py;
      return px < py;
    }
    x.remove_prefix(std::min(x.size(), px.size() + 1));
    y.remove_prefix(std::min(y.size(), py.size() + 1));
  }
  return x.size() < y.size();
}

struct Row {
  std::string name, kind, grad, spark, ratio, activation, marker;
};

std::string pad(const std::string& text, std::size_t width) {
  // Display width: the sparkline's blocks are one column each but three bytes.
  std::size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80;
  return text + std::string(width > columns ? width - columns : 0, ' ');
}

}  // namespace

std::string layer_table(const MonitorSeries& s, const std::vector<Finding>& findings) {
  const std::size_t n = s.steps.size(), p = s.params.size();
  if (n == 0) return "";
  // The gradient norms' sparkline values: log10 of each stretch's geometric mean.
  std::vector<std::vector<double>> sparks;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  std::vector<Row> rows;
  for (std::size_t k = 0; k < p; ++k) {
    if (s.roles[k] != ParamRole::weight) continue;
    std::vector<double> late_grad, late_ratio, spark;
    for (std::size_t i = n / 2; i < n; ++i) {
      late_grad.push_back(s.param_grad_norm[i * p + k]);
      late_ratio.push_back(s.param_update_ratio[i * p + k]);
    }
    const std::size_t points = std::min(kSparkPoints, n);
    for (std::size_t b = 0; b < points; ++b) {
      double sum = 0;
      std::size_t count = 0;
      for (std::size_t i = b * n / points; i < (b + 1) * n / points; ++i) {
        const double v = s.param_grad_norm[i * p + k];
        if (std::isfinite(v)) sum += std::log10(std::max(v, 1e-30)), ++count;
      }
      const double mean = count ? sum / static_cast<double>(count) : std::nan("");
      if (std::isfinite(mean)) lo = std::min(lo, mean), hi = std::max(hi, mean);
      spark.push_back(mean);
    }
    sparks.push_back(std::move(spark));
    rows.push_back({.name = layer_of(s.params[k]),
                    .kind = "linear",
                    .grad = fmt::format("{:.2g}", finite_median(late_grad)),
                    .ratio = fmt::format("{:.2g}", finite_median(late_ratio))});
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (double v : sparks[i]) {
      const double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      rows[i].spark += std::isfinite(v) ? std::string(kBlocks[static_cast<std::size_t>(std::lround(t * 7))]) : " ";
    }
  }
  const std::size_t layers = s.probed.size();
  for (std::size_t l = 0; l < layers; ++l) {
    const bool saturating = saturates(s.probed[l].activation);
    std::vector<double> late;
    for (std::size_t i = s.probe_steps.size() / 2; i < s.probe_steps.size(); ++i) {
      const ActivationStats& a = s.activation[i * layers + l];
      late.push_back(saturating ? a.saturated : a.dead);
    }
    const double value = finite_median(late);
    Row row{.name = s.probed[l].name, .kind = std::string(activation_name(s.probed[l].activation))};
    if (std::isfinite(value) && (saturating || can_die(s.probed[l].activation))) {
      row.activation = fmt::format("{:.2f} {}", value, saturating ? "saturated" : "dead");
    }
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return network_order(a.name, b.name); });
  // The marks: each warning's or error's symptom, and those of its chain's links, on
  // the layers they name.
  const auto mark = [&](const std::vector<std::string>& layers_named, const std::string& symptom) {
    for (Row& row : rows) {
      if (std::find(layers_named.begin(), layers_named.end(), row.name) == layers_named.end()) continue;
      if (row.marker.find(symptom) == std::string::npos) row.marker += (row.marker.empty() ? "◀ " : ", ") + symptom;
    }
  };
  for (const Finding& f : findings) {
    if (f.severity == Severity::info) continue;
    mark(f.layers, f.symptom);
    for (const Link& link : f.chain) mark(link.layers, link.symptom);
  }
  std::size_t name_width = 5;
  for (const Row& r : rows) name_width = std::max(name_width, r.name.size());
  std::string out = pad("layer", name_width + 2) + pad("", 10) + pad("gradient norm", 15) +
                    pad("over the run", kSparkPoints + 2) + pad("update ratio", 14) + "saturated/dead\n";
  for (const Row& r : rows) {
    std::string line = pad(r.name, name_width + 2) + pad(r.kind, 10) + pad(r.grad, 15) + pad(r.spark, kSparkPoints + 2) +
                       pad(r.ratio, 14) + pad(r.activation, 16) + r.marker;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace glassnet
