#include "glassnet/report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <span>

#include "glassnet/core/counted.hpp"
#include "glassnet/diag/activation_stats.hpp"
#include "glassnet/diag/metrics_log.hpp"
#include "glassnet/io/atomic_file.hpp"
#include "glassnet/nn/activations.hpp"
#include "glassnet/report/svg.hpp"

namespace glassnet {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kLineBuckets = 200;  // min/max buckets of a per-step line
constexpr Index kHeatColumns = 100;        // step buckets of the heat map

std::string esc(const std::string& s) { return xml_escape(s); }

std::string json_text(const Json& j, const char* key, const std::string& otherwise = "—") {
  if (!j.is_object() || !j.contains(key)) return otherwise;
  const Json& v = j.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return fmt::format("{:g}", v.get<double>());
  return v.dump();
}

std::string duration_text(double seconds) {
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  return fmt::format("{:.0f} min {:.0f} s", std::floor(seconds / 60), std::fmod(seconds, 60));
}

// The split the evaluation shows: validation, else test, else training.
std::string shown_split(const Json& metrics) {
  for (const char* split : {"val", "test", "train"}) {
    if (metrics.is_object() && metrics.contains(split)) return split;
  }
  return "";
}

std::string split_name(const std::string& split) {
  return split == "val" ? "validation" : split == "test" ? "test" : "training";
}

// Which chart shows the evidence of a symptom.
std::string chart_for(const std::string& symptom) {
  static const std::map<std::string, std::string> kCharts = {
      {"vanishing_gradients", "gradients"}, {"exploding_gradients", "gradients"}, {"non_finite", "gradients"},
      {"deep_saturating", "gradients"},     {"saturation", "activations"},        {"dead_relu", "activations"},
      {"lr_too_high", "updates"},           {"lr_too_low", "updates"},            {"overfitting", "curves"},
      {"plateau", "curves"},                {"chance_level", "curves"},           {"poor_learning", "curves"},
      {"cannot_overfit", "curves"},         {"initial_loss", "curves"}};
  const auto it = kCharts.find(symptom);
  return it == kCharts.end() ? "" : it->second;
}

std::string chart_title(const std::string& id) {
  if (id == "gradients") return "gradient norms";
  if (id == "activations") return "saturation and dead units";
  if (id == "updates") return "update ratios";
  return "loss and accuracy";
}

void run_section(std::string& out, const RunLog& log) {
  const Json& c = log.config;
  const Json& d = log.data;
  const std::string task = json_text(d, "task");
  std::string layers;
  if (c.contains("layers") && c["layers"].is_array()) {
    for (const Json& w : c["layers"]) layers += fmt::format(" → {}", w.dump());
  }
  const Index classes = d.contains("classes") && d["classes"].is_number_integer() ? d["classes"].get<Index>() : 0;
  const std::string outputs = task == "multiclass" ? std::to_string(classes) : "1";
  std::string shape = fmt::format("{}{} → {}, {}", json_text(d, "inputs"), layers, outputs, json_text(c, "activation"));
  if (json_text(c, "norm") != "none") shape += fmt::format(", {} normalisation", json_text(c, "norm"));
  if (c.contains("residual") && c["residual"].is_boolean() && c["residual"].get<bool>()) shape += ", residual blocks";
  if (c.contains("dropout") && c["dropout"].is_number() && c["dropout"].get<double>() > 0)
    shape += fmt::format(", dropout {}", json_text(c, "dropout"));
  std::string optimizer = fmt::format("{}, lr {}, batch {}", json_text(c, "optimizer"), json_text(c, "lr"),
                                      json_text(c, "batch_size"));
  if (json_text(c, "schedule") != "none") optimizer += fmt::format(", {} schedule", json_text(c, "schedule"));
  if (c.contains("clip_norm") && c["clip_norm"].is_number() && c["clip_norm"].get<double>() > 0)
    optimizer += fmt::format(", clipped at {}", json_text(c, "clip_norm"));
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"data set", json_text(c, "data")},
      {"task", task},
      {"rows", fmt::format("{} training, {} validation, {} test", json_text(d, "train_rows"), json_text(d, "val_rows"),
                           json_text(d, "test_rows"))},
      {"architecture", shape},
      {"parameters", log.parameters > 0 ? fmt::format("{}", log.parameters) : "—"},
      {"optimizer", optimizer},
      {"seed", json_text(c, "seed")},
      {"epochs",
       [&] {
         const auto& epochs = log.series.epoch_logs;
         if (epochs.empty() || epochs.front().epoch <= 1)
           return fmt::format("{} of {}", epochs.size(), json_text(c, "epochs"));
         return fmt::format("{}–{} of {} (resumed after epoch {})", epochs.front().epoch, epochs.back().epoch,
                            json_text(c, "epochs"), epochs.front().epoch - 1);
       }()},
      {"duration", duration_text(log.seconds)},
      {"monitor",
       log.monitor_level.empty() ? "off" : fmt::format("{}, {}", log.monitor_level, counted(log.threads, "thread"))},
  };
  out += R"(<section id="run"><h2>Run</h2><table class="facts">)";
  for (const auto& [k, v] : rows) fmt::format_to(std::back_inserter(out), "<tr><th>{}</th><td>{}</td></tr>", k, esc(v));
  out += "</table>";
  if (log.error) fmt::format_to(std::back_inserter(out), R"(<p class="failed">Training failed: {}</p>)", esc(*log.error));
  if (!log.ended) out += R"(<p class="note">The log has no end: the run was still going, or was killed.</p>)";
  out += "</section>";
}

std::string layers_attribute(const std::vector<std::string>& layers) {
  std::string out;
  for (const std::string& l : layers) {
    if (!out.empty()) out += ' ';
    out += esc(l);
  }
  return out;
}

void findings_section(std::string& out, const RunLog& log) {
  std::vector<Finding> findings = log.findings;
  if (!log.ended) {
    for (const auto& [f, epoch] : log.announced) findings.push_back(f);
  }
  out += R"(<section id="findings"><h2>Findings</h2>)";
  if (findings.empty()) {
    out += R"(<p class="note">The doctor found nothing to report.</p></section>)";
    return;
  }
  out += R"(<ol class="findings">)";
  for (const Finding& f : findings) {
    std::vector<std::string> layers = f.layers;
    std::set<std::string> charts;
    if (!chart_for(f.symptom).empty()) charts.insert(chart_for(f.symptom));
    for (const Link& l : f.chain) {
      layers.insert(layers.end(), l.layers.begin(), l.layers.end());
      if (!chart_for(l.symptom).empty()) charts.insert(chart_for(l.symptom));
    }
    const std::string severity{severity_name(f.severity)};
    fmt::format_to(std::back_inserter(out),
                   R"(<li class="finding {0}" tabindex="0" data-symptom="{1}" data-severity="{0}" data-layers="{2}">)"
                   R"(<p><span class="badge {0}">{0}</span> <strong>{1}</strong>{3}</p><p>{4}</p>)",
                   severity, esc(f.symptom), layers_attribute(layers),
                   f.first_step > 0 ? fmt::format(" <span class=\"muted\">steps {}–{}</span>", f.first_step, f.last_step)
                                    : "",
                   esc(f.summary));
    if (!f.evidence.empty()) {
      out += "<ul class=\"evidence\">";
      for (const auto& e : f.evidence) fmt::format_to(std::back_inserter(out), "<li>{}</li>", esc(e));
      out += "</ul>";
    }
    for (const Link& l : f.chain) {
      fmt::format_to(std::back_inserter(out), R"(<p class="link">→ which led to <strong>{}</strong></p>)", esc(l.symptom));
      if (!l.evidence.empty()) {
        out += "<ul class=\"evidence\">";
        for (const auto& e : l.evidence) fmt::format_to(std::back_inserter(out), "<li>{}</li>", esc(e));
        out += "</ul>";
      }
    }
    if (!f.causes.empty()) {
      out += "<p>Likely causes: ";
      for (std::size_t i = 0; i < f.causes.size(); ++i) out += (i ? "; " : "") + esc(f.causes[i]);
      out += ".</p>";
    }
    if (!f.fixes.empty()) {
      out += "<p>Fixes, in order: ";
      for (std::size_t i = 0; i < f.fixes.size(); ++i) {
        fmt::format_to(std::back_inserter(out), "{}<code>{}</code>", i ? ", " : "", esc(f.fixes[i]));
      }
      out += "</p>";
    }
    if (!charts.empty()) {
      out += "<p class=\"see\">See: ";
      bool first = true;
      for (const std::string& id : charts) {
        fmt::format_to(std::back_inserter(out), R"({}<a href="#{}">{}</a>)", first ? "" : ", ", id, chart_title(id));
        first = false;
      }
      out += "</p>";
    }
    out += "</li>";
  }
  out += "</ol></section>";
}

void curves_section(std::string& out, const RunLog& log) {
  const auto& epochs = log.series.epoch_logs;
  out += R"(<section id="curves"><h2>Loss and accuracy</h2>)";
  if (epochs.empty()) {
    out += R"(<p class="note">No epoch was completed.</p></section>)";
    return;
  }
  LineChart loss{.id = "loss-chart", .x = {.label = "epoch"}, .y = {.label = "loss (mean per row)", .log = false}};
  Line train{.name = "training loss", .colour = 0, .dots = true}, val{.name = "validation loss", .colour = 1, .dots = true};
  Line train_acc{.name = "training accuracy", .colour = 0, .dots = true},
      val_acc{.name = "validation accuracy", .colour = 1, .dots = true};
  std::size_t best = 0;
  bool has_val = false;
  for (std::size_t i = 0; i < epochs.size(); ++i) {
    const EpochLogs& e = epochs[i];
    const auto x = static_cast<double>(e.epoch);
    train.points.push_back({x, e.train_loss});
    if (e.val_loss) {
      val.points.push_back({x, *e.val_loss});
      has_val = true;
    }
    if (e.train_accuracy) train_acc.points.push_back({x, *e.train_accuracy});
    if (e.val_accuracy) val_acc.points.push_back({x, *e.val_accuracy});
    const auto judged = [&](const EpochLogs& l) { return l.val_loss ? *l.val_loss : l.train_loss; };
    if (std::isfinite(judged(e)) && !(judged(epochs[best]) <= judged(e))) best = i;
  }
  // Losses that span decades read better on a log axis.
  double lo = INFINITY, hi = 0;
  for (const Line* l : {&train, &val}) {
    for (const Point& p : l->points) {
      if (std::isfinite(p.y) && p.y > 0) lo = std::min(lo, p.y), hi = std::max(hi, p.y);
    }
  }
  loss.y.log = hi > 0 && lo > 0 && hi / lo > 30;
  if (loss.y.log) loss.y.label += ", log scale";
  loss.lines.push_back(std::move(train));
  if (has_val) loss.lines.push_back(std::move(val));
  loss.markers.push_back({static_cast<double>(epochs[best].epoch),
                          fmt::format("best epoch {} ({} loss)", epochs[best].epoch, has_val ? "validation" : "training")});
  out += svg_line_chart(loss);
  if (!train_acc.points.empty() || !val_acc.points.empty()) {
    LineChart acc{.id = "accuracy-chart", .x = {.label = "epoch"}, .y = {.label = "accuracy (fraction right)", .min = 0.0, .max = 1.0}};
    if (!train_acc.points.empty()) acc.lines.push_back(std::move(train_acc));
    if (!val_acc.points.empty()) acc.lines.push_back(std::move(val_acc));
    acc.markers = loss.markers;
    out += svg_line_chart(acc);
  }
  out += "</section>";
}

// The weight tensors, by store order: the rows of the heat map and the update lines.
std::vector<std::size_t> weight_tensors(const MonitorSeries& s) {
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < s.params.size(); ++k) {
    if (s.roles[k] == ParamRole::weight) out.push_back(k);
  }
  return out;
}

void gradients_section(std::string& out, const RunLog& log) {
  const MonitorSeries& s = log.series;
  out += R"(<section id="gradients"><h2>Gradient norms by layer</h2>)";
  const auto weights = weight_tensors(s);
  if (s.steps.empty() || weights.empty()) {
    out += R"(<p class="note">No steps were monitored.</p></section>)";
    return;
  }
  out += "<p class=\"note\">Each row is a layer's weight gradient norm (L2, before clipping) over the training "
         "steps, on a log colour scale; each cell is the geometric mean of its steps (its tooltip gives the range). "
         "A dark row is a layer that has stopped learning: its gradients vanish.</p>";
  const std::size_t n = s.steps.size(), p = s.params.size();
  HeatMap map{.id = "gradient-heatmap", .column_label = "step", .value_label = "gradient norm ‖∇W‖"};
  map.columns = std::min<Index>(kHeatColumns, static_cast<Index>(n));
  double lo = INFINITY, hi = 0;
  for (std::size_t k : weights) {
    map.rows.push_back(layer_of(s.params[k]));
    map.keys.push_back(layer_of(s.params[k]));
    for (Index c = 0; c < map.columns; ++c) {
      const std::size_t begin = static_cast<std::size_t>(c) * n / static_cast<std::size_t>(map.columns);
      const std::size_t end = static_cast<std::size_t>(c + 1) * n / static_cast<std::size_t>(map.columns);
      double log_sum = 0, cell_lo = INFINITY, cell_hi = 0;
      std::size_t count = 0;
      for (std::size_t i = begin; i < end; ++i) {
        const double v = s.param_grad_norm[i * p + k];
        if (!std::isfinite(v)) continue;
        const double positive = std::max(v, 1e-30);
        log_sum += std::log10(positive);
        cell_lo = std::min(cell_lo, v);
        cell_hi = std::max(cell_hi, v);
        ++count;
      }
      const double mean = count ? std::pow(10.0, log_sum / static_cast<double>(count)) : NAN;
      if (count) lo = std::min(lo, std::max(cell_lo, 1e-30)), hi = std::max(hi, cell_hi);
      map.values.push_back(mean);
      map.tips.push_back(count ? fmt::format("steps {}–{}: {:.3g} ({:.2g} to {:.2g})", s.steps[begin],
                                             s.steps[end - 1], mean, cell_lo, cell_hi)
                               : fmt::format("steps {}–{}: no finite value", s.steps[begin], s.steps[end - 1]));
    }
  }
  // The scale spans the data and always the healthy range, whole decades.
  map.lo = std::pow(10.0, std::floor(std::log10(std::clamp(std::min(lo, 1e-4), 1e-14, 1e-4))));
  map.hi = std::pow(10.0, std::ceil(std::log10(std::max(hi, 1.0))));
  for (int t = 0; t < 6; ++t) {
    const Index c = t * (map.columns - 1) / 5;
    const std::size_t i = static_cast<std::size_t>(c) * n / static_cast<std::size_t>(map.columns);
    map.column_ticks.emplace_back(c, fmt::format("{}", s.steps[i]));
  }
  out += svg_heat_map(map);
  out += "</section>";
}

void updates_section(std::string& out, const RunLog& log) {
  const MonitorSeries& s = log.series;
  const auto weights = weight_tensors(s);
  if (s.steps.empty() || weights.empty()) return;
  out += R"(<section id="updates"><h2>Update-to-weight ratios</h2>)"
         "<p class=\"note\">‖Δθ‖ / ‖θ‖ per step for each layer's weights: about 1e-3 is healthy; far below, the "
         "weights barely move (learning rate too low); near 1e-1, each step rewrites a tenth of the layer (too high). "
         "Each line keeps the minimum and maximum of every stretch of steps.</p>";
  LineChart chart{.id = "update-chart",
                  .x = {.label = "step"},
                  .y = {.label = "update ratio ‖Δθ‖/‖θ‖, log scale", .log = true},
                  .band = std::pair{1e-4, 1e-2},
                  .band_label = "healthy, about 1e-3"};
  const std::size_t p = s.params.size();
  int colour = 0;
  for (std::size_t k : weights) {
    std::vector<Point> points;
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
      points.push_back({static_cast<double>(s.steps[i]), s.param_update_ratio[i * p + k]});
    }
    chart.lines.push_back({.name = layer_of(s.params[k]),
                           .points = min_max_downsample(points, kLineBuckets),
                           .colour = colour++,
                           .key = layer_of(s.params[k])});
  }
  out += svg_line_chart(chart);
  out += "</section>";
}

void activations_section(std::string& out, const RunLog& log) {
  const MonitorSeries& s = log.series;
  if (s.probed.empty() || s.probe_steps.empty()) return;
  out += R"(<section id="activations"><h2>Saturation and dead units</h2>)"
         "<p class=\"note\">Measured every few steps on the batch of the step. Sigmoid and tanh layers: the fraction "
         "of pre-activations with |z| &gt; 5, where the derivative is almost zero. ReLU-family layers: the fraction of "
         "units that are zero for every row of the batch, which pass no gradient.</p>";
  LineChart chart{.id = "activation-chart",
                  .x = {.label = "step"},
                  .y = {.label = "fraction of the layer", .min = 0.0, .max = 1.0}};
  const std::size_t layers = s.probed.size();
  for (std::size_t l = 0; l < layers; ++l) {
    const bool saturating = saturates(s.probed[l].activation);
    std::vector<Point> points;
    for (std::size_t i = 0; i < s.probe_steps.size(); ++i) {
      const ActivationStats& a = s.activation[i * layers + l];
      points.push_back({static_cast<double>(s.probe_steps[i]), saturating ? a.saturated : a.dead});
    }
    chart.lines.push_back(
        {.name = fmt::format("{} ({}, {})", s.probed[l].name, activation_name(s.probed[l].activation),
                             saturating ? "saturated" : "dead"),
         .points = min_max_downsample(points, kLineBuckets),
         .colour = static_cast<int>(l),
         .dashed = saturating,
         .key = s.probed[l].name});
  }
  out += svg_line_chart(chart);
  out += "</section>";
}

// A square table of counts, or nothing when the log holds something else.
void confusion_table(std::string& out, const Json& matrix) {
  if (!matrix.is_array() || matrix.empty()) return;
  double total = 0, largest = 0;
  for (const Json& row : matrix) {
    if (!row.is_array() || row.size() != matrix.size()) return;
    for (const Json& v : row) {
      if (!v.is_number()) return;
      total += v.get<double>();
      largest = std::max(largest, v.get<double>());
    }
  }
  out += R"(<table class="confusion" id="confusion-matrix"><caption>Confusion matrix (rows: true class; columns: predicted)</caption><tr><th></th>)";
  for (std::size_t c = 0; c < matrix.size(); ++c) fmt::format_to(std::back_inserter(out), "<th>{}</th>", c);
  out += "</tr>";
  for (std::size_t t = 0; t < matrix.size(); ++t) {
    fmt::format_to(std::back_inserter(out), "<tr><th>{}</th>", t);
    for (std::size_t c = 0; c < matrix[t].size(); ++c) {
      const double v = matrix[t][c].get<double>();
      fmt::format_to(std::back_inserter(out),
                     R"~(<td class="{}" style="--share:{:.3f}" title="true {}, predicted {}: {} ({:.1f} %)">{}</td>)~",
                     t == c ? "right" : "wrong", largest > 0 ? v / largest : 0.0, t, c, counted(v, "row"),
                     total > 0 ? 100 * v / total : 0.0, v);
    }
    out += "</tr>";
  }
  out += "</table>";
}

void evaluation_section(std::string& out, const RunLog& log) {
  const std::string split = shown_split(log.metrics);
  if (split.empty() || !log.metrics[split].is_object()) return;
  const Json& m = log.metrics[split];
  fmt::format_to(std::back_inserter(out), R"(<section id="evaluation"><h2>Evaluation on the {} rows</h2><table class="facts">)",
                 split_name(split));
  for (const auto& [name, value] : m.items()) {
    if (value.is_number()) fmt::format_to(std::back_inserter(out), "<tr><th>{}</th><td>{:.4f}</td></tr>", name, value.get<double>());
    if (value.is_null()) fmt::format_to(std::back_inserter(out), "<tr><th>{}</th><td>undefined</td></tr>", name);
  }
  out += "</table>";
  if (m.contains("confusion_matrix")) confusion_table(out, m["confusion_matrix"]);
  const auto curve = [&](const char* key, const char* x_key, const char* y_key, const std::string& id,
                         const std::string& x_label, const std::string& y_label, const std::string& name) {
    if (!m.contains(key) || !m[key].is_object()) return;
    const Json& c = m[key];
    if (!c.contains(x_key) || !c.contains(y_key) || !c[x_key].is_array() || !c[y_key].is_array()) return;
    Line line{.name = name, .colour = 0};
    for (std::size_t i = 0; i < c[x_key].size() && i < c[y_key].size(); ++i) {
      if (!c[x_key][i].is_number() || !c[y_key][i].is_number()) return;
      line.points.push_back({c[x_key][i].get<double>(), c[y_key][i].get<double>()});
    }
    LineChart chart{.id = id, .x = {.label = x_label, .min = 0.0, .max = 1.0}, .y = {.label = y_label, .min = 0.0, .max = 1.0}};
    chart.lines.push_back(std::move(line));
    out += svg_line_chart(chart);
  };
  curve("roc_curve", "fpr", "tpr", "roc-chart", "false-positive rate", "true-positive rate (recall)",
        fmt::format("ROC, area {}", json_text(m, "roc_auc")));
  curve("pr_curve", "recall", "precision", "pr-chart", "recall", "precision",
        fmt::format("precision–recall, average precision {}", json_text(m, "pr_auc")));
  out += "</section>";
}

void trials_section(std::string& out, const RepairRecord& r) {
  out += R"(<section id="trials"><h2>Repair trials</h2>)";
  std::string metric = r.metric;  // in words: "balanced accuracy"
  std::replace(metric.begin(), metric.end(), '_', ' ');
  fmt::format_to(std::back_inserter(out),
                 "<p class=\"note\">Each fix trained from the same seed and data order; kept when its validation {} "
                 "beats the best so far by more than the run-to-run spread ({:.4f}) and leaves no more warnings or "
                 "errors.</p><table class=\"trials\"><tr><th>change</th><th>validation metric</th><th>effect</th>"
                 "<th>findings left</th><th>seconds</th><th></th></tr>",
                 esc(metric), r.spread);
  for (const Trial& t : r.trials) {
    std::string left;
    for (const auto& f : t.findings_left) left += (left.empty() ? "" : ", ") + f;
    fmt::format_to(
        std::back_inserter(out),
        R"(<tr class="{}"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{:.1f}</td><td>{}</td></tr>)",
        t.kept ? "kept" : "", esc(t.change),
        t.diverged() ? "diverged" : fmt::format("{} {:.4f}", esc(t.metric), t.val_metric),
        t.kind == Trial::Kind::fix ? fmt::format("{:+.1f}× spread", t.effect) : "", esc(left.empty() ? "none" : left),
        t.seconds, t.kind == Trial::Kind::fix ? (t.kept ? "kept" : "not kept") : "");
  }
  out += "</table></section>";
}

void rollback_rows(std::string& out, const std::vector<RollbackEvent>& events) {
  out += R"(<table class="trials"><tr><th>step</th><th>epoch</th><th>problem</th><th>what was done</th></tr>)";
  for (const RollbackEvent& e : events) {
    fmt::format_to(std::back_inserter(out), "<tr><td>{}</td><td>{}</td><td>{}: {}</td><td>{}</td></tr>", e.step, e.epoch,
                   esc(e.problem), esc(e.detail), esc(e.action));
  }
  out += "</table>";
}

void rollbacks_section(std::string& out, const RunLog& log) {
  const std::vector<RollbackEvent> none;
  const std::vector<RollbackEvent>& replaced = log.repair ? log.repair->replaced_rollbacks : none;
  if (log.rollbacks.empty() && replaced.empty()) return;
  out += R"(<section id="rollbacks"><h2>Rollbacks</h2>)";
  if (!replaced.empty()) {
    out += R"(<p class="note">The run as configured, which the repaired run replaced:</p>)";
    rollback_rows(out, replaced);
    out += log.rollbacks.empty() ? R"(<p class="note">The repaired run: none.</p>)"
                                 : R"(<p class="note">The repaired run:</p>)";
  }
  if (!log.rollbacks.empty()) rollback_rows(out, log.rollbacks);
  out += "</section>";
}

constexpr std::string_view kStyle = R"(
:root{--bg:#fff;--fg:#1d2228;--muted:#5d6672;--grid:#e4e7eb;--frame:#98a1ac;--card:#f6f8fa;--band:rgba(46,160,67,.13);
--s0:#1f77b4;--s1:#d62728;--s2:#2ca02c;--s3:#9467bd;--s4:#ff7f0e;--s5:#8c564b;--s6:#e377c2;--s7:#17becf;--s8:#7f7f7f;--s9:#bcbd22;
--error:#c62828;--warning:#b26a00;--info:#2f6fad}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--fg:#e4e8ec;--muted:#9aa4af;--grid:#2a3038;--frame:#5b6570;--card:#1a1f25;
--band:rgba(80,200,110,.16);--s0:#5aa9e6;--s1:#ff6b6b;--s2:#63d471;--s3:#b79cff;--s4:#ffa94d;--s5:#c8a27c;--s6:#f59ad4;--s7:#4dd4e6;
--s8:#b0b0b0;--s9:#dede5a;--error:#ff6b6b;--warning:#ffb74d;--info:#7ab8f5}}
body{background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:980px;padding:0 20px 40px}
h1{font-size:1.5em;margin:.8em 0 .2em}h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid var(--grid)}
.muted,.note{color:var(--muted)}.note{font-size:.92em}code{background:var(--card);padding:0 .3em;border-radius:3px}
table{border-collapse:collapse}th,td{padding:2px 10px 2px 0;text-align:left;vertical-align:top}.facts th{color:var(--muted);font-weight:normal}
.trials td,.trials th{border-bottom:1px solid var(--grid);padding:3px 10px}.trials tr.kept{font-weight:600}
svg.chart{width:100%;height:auto;display:block;margin:8px 0 16px;font-size:11px}
svg text{fill:var(--fg)}svg .tick{fill:var(--muted)}svg .axis-label{font-size:12px}
svg .grid{stroke:var(--grid)}svg .frame{fill:none;stroke:var(--frame)}svg .band{fill:var(--band)}svg .band-label{fill:var(--muted);font-size:10px}
svg .marker{stroke:var(--muted);stroke-dasharray:4 3}svg .marker-label{fill:var(--muted)}
svg .series polyline,svg .legend line{fill:none;stroke:var(--c);stroke-width:1.6}svg .series circle{fill:var(--c)}
svg .dashed polyline,svg .legend.dashed line{stroke-dasharray:5 3}
.s0{--c:var(--s0)}.s1{--c:var(--s1)}.s2{--c:var(--s2)}.s3{--c:var(--s3)}.s4{--c:var(--s4)}.s5{--c:var(--s5)}.s6{--c:var(--s6)}.s7{--c:var(--s7)}.s8{--c:var(--s8)}.s9{--c:var(--s9)}
svg .lit polyline{stroke-width:3.5}svg .heat-row.lit text{font-weight:700;fill:var(--fg)}svg .heat-row.lit rect{stroke:var(--fg);stroke-width:.6}
svg rect.empty{fill:var(--grid)}svg .healthy{fill:none;stroke:var(--fg)}
.findings{padding-left:1.2em}.finding{background:var(--card);border-left:4px solid var(--info);margin:8px 0;padding:6px 12px;border-radius:4px}
.finding.error{border-color:var(--error)}.finding.warning{border-color:var(--warning)}.finding p{margin:.3em 0}
.badge{font-size:.8em;text-transform:uppercase;font-weight:700;color:var(--info)}.badge.error{color:var(--error)}.badge.warning{color:var(--warning)}
.failed{color:var(--error);font-weight:600}.evidence{margin:.2em 0;font-size:.93em}
.confusion td{text-align:right;min-width:3em;background:color-mix(in srgb,var(--s0) calc(var(--share)*55%),transparent)}
.confusion td.wrong{background:color-mix(in srgb,var(--s1) calc(var(--share)*55%),transparent)}
footer{margin-top:2em;color:var(--muted);font-size:.85em}
@media print{body{max-width:none}.finding,svg.chart,table{break-inside:avoid}a{color:inherit;text-decoration:none}}
)";

// Hovering (or focusing) a finding lights up the layers it names in every chart.
constexpr std::string_view kScript = R"(
document.querySelectorAll('.finding').forEach(function (finding) {
  var layers = new Set((finding.dataset.layers || '').split(' ').filter(Boolean));
  function light(on) {
    document.querySelectorAll('[data-layer]').forEach(function (e) {
      e.classList.toggle('lit', on && layers.has(e.dataset.layer));
    });
  }
  ['mouseenter', 'focus'].forEach(function (k) { finding.addEventListener(k, function () { light(true); }); });
  ['mouseleave', 'blur'].forEach(function (k) { finding.addEventListener(k, function () { light(false); }); });
});
)";

}  // namespace

std::string html_report(const RunLog& log, const ReportOptions& options) {
  const std::string title =
      options.title.empty() ? fmt::format("glassnet: {}", json_text(log.config, "data", log.path.string())) : options.title;
  std::string out;
  out.reserve(1 << 18);
  fmt::format_to(std::back_inserter(out),
                 "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                 "<meta name=\"color-scheme\" content=\"light dark\"><title>{0}</title><style>{1}</style></head>"
                 "<body><h1>{0}</h1><p class=\"muted\">Drawn from the metrics log <code>{2}</code>.</p>",
                 esc(title), kStyle, esc(log.path.filename().string()));
  run_section(out, log);
  findings_section(out, log);
  curves_section(out, log);
  gradients_section(out, log);
  updates_section(out, log);
  activations_section(out, log);
  evaluation_section(out, log);
  if (log.repair) trials_section(out, *log.repair);
  rollbacks_section(out, log);
  fmt::format_to(std::back_inserter(out), "<footer>glassnet report, metrics log schema {} version {}.</footer><script>{}</script></body></html>\n",
                 kMetricsLogSchema, kMetricsLogVersion, kScript);
  return out;
}

void write_html_report(const std::filesystem::path& path, const RunLog& log, const ReportOptions& options) {
  const std::string html = html_report(log, options);
  write_file_atomically(path, std::as_bytes(std::span(html.data(), html.size())));
}

}  // namespace glassnet
