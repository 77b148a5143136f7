#include "glassnet/demo/incident_demo.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <ostream>
#include <vector>

#include "glassnet/core/counted.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/data/synthetic.hpp"
#include "glassnet/diag/median.hpp"
#include "glassnet/diag/metrics_log.hpp"
#include "glassnet/diag/repair.hpp"
#include "glassnet/diag/repair_json.hpp"
#include "glassnet/io/atomic_file.hpp"
#include "glassnet/io/file_roles.hpp"
#include "glassnet/report/html_report.hpp"
#include "glassnet/train/config_toml.hpp"

namespace glassnet {
namespace {

// The median over the second half of the run of layers.0.weight's gradient norm.
double first_layer_norm(const MonitorSeries& s) {
  const auto k = static_cast<std::size_t>(std::find(s.params.begin(), s.params.end(), "layers.0.weight") -
                                          s.params.begin());
  if (k >= s.params.size() || s.steps.empty()) return 0.0;
  std::vector<double> values;
  for (std::size_t i = s.steps.size() / 2; i < s.steps.size(); ++i) {
    values.push_back(s.param_grad_norm[i * s.params.size() + k]);
  }
  return median(std::move(values));
}

RunHooks progress_hooks(std::ostream& out) {
  return {.on_epoch_end =
              [&out](const EpochLogs& e) {
                fmt::print(out, "  epoch {:>2}  loss {:.4f}  val_loss {:.4f}  val_acc {:.4f}\n", e.epoch, e.train_loss,
                           e.val_loss.value_or(0.0), e.val_accuracy.value_or(0.0));
                out.flush();
              },
          .on_finding =
              [&out](const Finding& f, Index epoch) {
                fmt::print(out, "  {}{}: {}: {}\n", severity_name(f.severity),
                           epoch > 0 ? fmt::format(" (seen at epoch {})", epoch) : "", f.symptom, f.summary);
              }};
}

}  // namespace

IncidentResult run_incident(const IncidentOptions& options, std::ostream& out) {
  std::error_code made;
  std::filesystem::create_directories(options.directory, made);
  if (made) throw Error(fmt::format("{}: cannot create the directory: {}", options.directory.string(), made.message()));
  const auto file = [&](const char* name) { return options.directory / name; };
  // Every file the story writes, checked before the data is made (a directory in the way
  // was found only after the training, with half the files written).
  std::vector<NamedPath> outputs;
  for (const char* name : {"fraud.csv", "incident.safetensors", "incident.jsonl", "incident.html",
                           "repaired.safetensors", "repaired.jsonl", "best.toml", "repaired.html"}) {
    outputs.push_back({"--dir", file(name)});
  }
  check_files({}, outputs);
  {
    const std::string csv = make_fraud_csv(options.rows, 0.5, options.seed);
    write_file_atomically(file("fraud.csv"), std::as_bytes(std::span(csv.data(), csv.size())));
  }
  RunConfig sick;
  sick.data = file("fraud.csv");
  sick.target = "is_fraud";
  sick.layers = std::vector<Index>(15, 64);
  sick.activation = Activation::sigmoid;
  sick.optimizer = "momentum";
  sick.learning_rate = 0.05;
  sick.epochs = options.epochs;
  sick.early_stopping = 0;
  sick.seed = options.seed;
  sick.out = file("incident.safetensors");
  sick.log = file("incident.jsonl");

  fmt::print(out,
             "The incident: a fraud model of 15 sigmoid hidden layers (64 units each), SGD with momentum, on {} "
             "balanced transactions ({}).\n\n",
             options.rows, sick.data.string());
  const RunResult before = run_training(sick, progress_hooks(out));
  IncidentResult result;
  result.sick_accuracy = before.metrics.at("val")["accuracy"];
  result.sick_first_layer_norm = first_layer_norm(before.monitor);
  for (const Finding& f : before.findings)
    result.vanishing_found = result.vanishing_found || f.involves("vanishing_gradients");
  fmt::print(out, "\nThe loss does not move and the accuracy is a coin toss. The doctor says why:\n\n");
  for (const Finding& f : before.findings) {
    if (f.severity == Severity::info) continue;
    fmt::print(out, "  [{}] {}: {}\n", severity_name(f.severity), f.symptom, f.summary);
    for (const auto& e : f.evidence) fmt::print(out, "      evidence: {}\n", e);
    for (const Link& link : f.chain) {
      fmt::print(out, "      which led to {}:\n", link.symptom);
      const std::size_t shown = std::min<std::size_t>(link.evidence.size(), 5);
      for (std::size_t i = 0; i < shown; ++i) fmt::print(out, "        {}\n", link.evidence[i]);
      if (link.evidence.size() > shown) fmt::print(out, "        ... ({} more)\n", link.evidence.size() - shown);
    }
    fmt::print(out, "      try, in order: {}\n", fmt::join(f.fixes, " | "));
  }

  fmt::print(out,
             "\nThe repair: each fix trained for {} from the same seed and data order, kept only when it "
             "beats the best so far by more than the run-to-run spread.\n\n",
             counted(options.epochs, "epoch"));
  RunConfig trials = sick;
  trials.log.reset();
  const RepairReport repair_report = repair(trials, {}, [&out](const Trial& t) {
    const std::string value = t.diverged() ? "diverged" : fmt::format("{:.4f}", t.val_metric);
    fmt::print(out, "  {:<30} {} {}  {}\n", t.change, t.metric, value,
               t.kind == Trial::Kind::fix ? (t.kept ? fmt::format("kept ({:+.0f}× the spread)", t.effect)
                                                    : fmt::format("not kept ({:+.1f}× the spread)", t.effect))
                                          : "");
    out.flush();
  });
  // The incident's log ends with the trials that followed it, as doctor --repair's diagnosis does.
  append_repair(file("incident.jsonl"), repair_json(repair_report));
  write_html_report(file("incident.html"), read_run_log(file("incident.jsonl")),
                    {.title = "The incident: 15 sigmoid hidden layers at chance, and the repair's trials"});
  RunConfig repaired = repair_report.best;
  repaired.out = file("repaired.safetensors");
  repaired.log = file("repaired.jsonl");
  {
    const std::string toml = config_toml(repaired);
    write_file_atomically(file("best.toml"), std::as_bytes(std::span(toml.data(), toml.size())));
  }
  std::vector<std::string> kept;
  for (const Trial& t : repair_report.trials) {
    if (t.kept) kept.push_back(t.change);
  }
  fmt::print(out, "\nTraining the repaired network ({}) for {}:\n\n", fmt::join(kept, ", then "),
             counted(options.epochs, "epoch"));
  const RunResult after = run_training(repaired, progress_hooks(out));
  result.repaired_accuracy = after.metrics.at("val")["accuracy"];
  result.repaired_precision = after.metrics.at("val")["precision"];
  result.repaired_first_layer_norm = first_layer_norm(after.monitor);
  write_html_report(file("repaired.html"), read_run_log(file("repaired.jsonl")),
                    {.title = fmt::format("The repaired network: {}", fmt::join(kept, ", then "))});

  const Metrics& a = before.metrics.at("val");
  const Metrics& b = after.metrics.at("val");
  fmt::print(out, "\n  validation                 15 × sigmoid    repaired\n");
  for (const char* m : {"accuracy", "precision", "recall", "roc_auc"}) {
    fmt::print(out, "  {:<26} {:>12.4f}    {:>8.4f}\n", m, a[m], b[m]);
  }
  fmt::print(out, "  {:<26} {:>12.2e}    {:>8.2e}\n", "layers.0 gradient norm", result.sick_first_layer_norm,
             result.repaired_first_layer_norm);
  fmt::print(out,
             "\nWritten in {}: fraud.csv (the data), incident.jsonl and repaired.jsonl (the two runs' metrics logs), "
             "incident.safetensors and repaired.safetensors (the two models), best.toml (the repaired configuration: "
             "glassnet train --config {}).\n"
             "\nThe reports, to open in a browser: {} (the gradient-norm heat map's dark band is the frozen layers; "
             "the trials are at the end) and {} (the band is gone).\n",
             options.directory.string(), file("best.toml").string(), file("incident.html").string(),
             file("repaired.html").string());
  return result;
}

}  // namespace glassnet
