// The metrics log read back, the charts' downsampling, the HTML report's contract
// (self-contained, bounded in size, a heat map row per weight tensor, the log's
// findings) and the terminal layer table.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "glassnet/core/error.hpp"
#include "glassnet/data/synthetic.hpp"
#include "glassnet/diag/metrics_log.hpp"
#include "glassnet/diag/repair_json.hpp"
#include "glassnet/report/html_report.hpp"
#include "glassnet/report/layer_table.hpp"
#include "glassnet/report/run_log.hpp"
#include "glassnet/report/svg.hpp"
#include "glassnet/train/run.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;

// A short run of 6 sigmoid layers on XOR, logged: a vanishing-gradient warning at least.
struct LoggedRun {
  testing::ScratchDir dir;
  RunConfig config;
  RunResult result;
  LoggedRun(Task task = Task::binary) {
    Dataset d = make_xor(600, 4, 5);
    if (task == Task::multiclass) {  // three classes: how many of the first two features are positive
      for (Index i = 0; i < d.x.rows(); ++i) d.y(i, 0) = Scalar(d.x(i, 0) > 0) + Scalar(d.x(i, 1) > 0);
    }
    std::ofstream((dir.path / "data.csv").string()) << dataset_csv(d);
    config.data = dir.path / "data.csv";
    config.layers = std::vector<Index>(6, 16);
    config.activation = Activation::sigmoid;
    config.optimizer = "sgd";
    config.learning_rate = 0.05;
    config.epochs = 4;
    config.out = dir.path / "model.safetensors";
    config.log = dir.path / "run.jsonl";
    result = run_training(config);
  }
};

void write_lines(const fs::path& path, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (const auto& l : lines) out << l << "\n";
}

std::string error_of(const fs::path& path) {
  try {
    read_run_log(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(RunLog, ReadsBackWhatTheRunRecorded) {
  const LoggedRun run;
  const RunLog log = read_run_log(*run.config.log);
  const MonitorSeries& a = run.result.monitor;
  const MonitorSeries& b = log.series;
  EXPECT_TRUE(log.ended);
  EXPECT_EQ(log.monitor_level, "light");
  EXPECT_GT(log.parameters, 0);
  EXPECT_EQ(b.params, a.params);
  EXPECT_EQ(b.roles, a.roles);
  ASSERT_EQ(b.probed.size(), a.probed.size());
  for (std::size_t l = 0; l < a.probed.size(); ++l) EXPECT_EQ(b.probed[l].name, a.probed[l].name);
  EXPECT_EQ(b.steps, a.steps);
  EXPECT_EQ(b.epochs, a.epochs);
  EXPECT_EQ(b.loss, a.loss) << "numbers are written to read back exactly";
  EXPECT_EQ(b.param_grad_norm, a.param_grad_norm);
  EXPECT_EQ(b.param_update_ratio, a.param_update_ratio);
  EXPECT_EQ(b.probe_steps, a.probe_steps);
  ASSERT_EQ(b.activation.size(), a.activation.size());
  EXPECT_EQ(b.activation.back().saturated, a.activation.back().saturated);
  ASSERT_EQ(b.epoch_logs.size(), a.epoch_logs.size());
  EXPECT_EQ(b.epoch_logs.back().val_loss, a.epoch_logs.back().val_loss);
  ASSERT_EQ(log.findings.size(), run.result.findings.size());
  for (std::size_t i = 0; i < log.findings.size(); ++i) {
    EXPECT_EQ(log.findings[i].symptom, run.result.findings[i].symptom);
    EXPECT_EQ(log.findings[i].evidence, run.result.findings[i].evidence);
    EXPECT_EQ(log.findings[i].fixes, run.result.findings[i].fixes);
  }
  EXPECT_DOUBLE_EQ(log.metrics["val"]["accuracy"].get<double>(), run.result.metrics.at("val")["accuracy"]);
  EXPECT_TRUE(log.metrics["val"].contains("roc_curve")) << "binary: the curves are in the log";
}

TEST(RunLog, BadLinesAreNamedByFileLineAndColumn) {
  const testing::ScratchDir dir;
  const fs::path p = dir.path / "bad.jsonl";
  const std::string run =
      R"({"type":"run","schema":"glassnet-metrics","version":1,"config":{},"data":{},"threads":1})";
  const std::string layout =
      R"({"type":"layout","params":["layers.0.weight"],"activations":[],"monitor":"light","probe_every":5})";
  write_lines(p, {run, R"({"type":"step", oops})"});
  EXPECT_EQ(error_of(p).rfind(p.string() + ":2:17: not JSON", 0), 0u) << error_of(p);
  write_lines(p, {run, layout, R"({"type":"step","step":1,"epoch":1,"loss":0.7,"lr":0.1,"grad_norm":1,)"
                               R"("param_grad_norm":[1,2],"param_weight_norm":[1],"update_ratio":[1]})"});
  EXPECT_EQ(error_of(p), p.string() + ":3: \"param_grad_norm\" is not an array of 1 numbers (one per monitored parameter)");
  write_lines(p, {layout});
  EXPECT_NE(error_of(p).find(":1: the first line is not the \"run\" line"), std::string::npos) << error_of(p);
  write_lines(p, {R"({"type":"run","schema":"glassnet-metrics","version":2,"config":{},"data":{},"threads":1})"});
  EXPECT_NE(error_of(p).find("version 2 of the log; this build reads version 1"), std::string::npos) << error_of(p);
  write_lines(p, {run, R"({"type":"end","findings":[{"symptom":"x"}]})"});
  EXPECT_NE(error_of(p).find(":2: finding: \"severity\" is missing"), std::string::npos) << error_of(p);
  const std::string repair =
      R"({"type":"repair","metric":"accuracy","spread":0.01,"trials":[],"best":{"config":{},"val_metric":0.5}})";
  write_lines(p, {run, repair, repair});
  EXPECT_EQ(error_of(p), p.string() + ":3: a second \"repair\" line");
  write_lines(p, {run, R"({"type":"repair","metric":"accuracy","spread":0.01,"trials":[{"kind":"fix"}]})"});
  EXPECT_EQ(error_of(p), p.string() + ":2: repair trial: \"change\" is missing");
  write_lines(p, {run, R"({"type":"rollback","step":3,"epoch":1,"problem":"non_finite","detail":"d"})"});
  EXPECT_EQ(error_of(p), p.string() + ":2: rollback: \"action\" is missing");
  // Lines out of order: a log's steps count up from 1, its probes follow their steps,
  // its epochs count up (a log with its lines reversed read as a run of 3 epochs).
  const auto step = [](int n, int epoch) {
    return fmt::format(R"({{"type":"step","step":{},"epoch":{},"loss":0.7,"lr":0.1,"grad_norm":1,)"
                       R"("param_grad_norm":[1],"param_weight_norm":[1],"update_ratio":[1]}})",
                       n, epoch);
  };
  const auto epoch = [](int n) {
    return fmt::format(R"({{"type":"epoch","epoch":{},"train_loss":0.5,"lr":0.1,"seconds":0.1}})", n);
  };
  const std::string probe = R"({"type":"probe","step":2,"layers":[]})";
  write_lines(p, {run, layout, step(2, 1), step(1, 1)});
  EXPECT_EQ(error_of(p), p.string() + ":4: step 1 after step 2");
  write_lines(p, {run, layout, step(0, 1)});
  EXPECT_EQ(error_of(p), p.string() + ":3: step 0; steps count from 1");
  write_lines(p, {run, layout, step(1, 2), step(2, 1)});
  EXPECT_EQ(error_of(p), p.string() + ":4: step 2 in epoch 1, after a step of epoch 2");
  write_lines(p, {run, layout, step(1, 1), probe});
  EXPECT_EQ(error_of(p), p.string() + ":4: a probe at step 2 before that step's line");
  write_lines(p, {run, layout, step(1, 1), step(2, 1), probe, probe});
  EXPECT_EQ(error_of(p), p.string() + ":6: a probe at step 2 after the probe at step 2");
  write_lines(p, {run, layout, step(1, 1), epoch(2), epoch(1)});
  EXPECT_EQ(error_of(p), p.string() + ":5: epoch 1 after epoch 2");
  write_lines(p, {run, layout, step(1, 1), step(2, 1), probe, epoch(1), step(3, 2), epoch(2)});
  EXPECT_EQ(read_run_log(p).series.steps, (std::vector<Index>{1, 2, 3})) << "in order, it reads";
  // nlohmann's tags stay out of the messages.
  write_lines(p, {run, R"({"type":"end","value":1e400})"});
  EXPECT_EQ(error_of(p), p.string() + ":2: not JSON: number overflow parsing '1e400'");
  write_lines(p, {});
  EXPECT_NE(error_of(p).find("empty"), std::string::npos);
  EXPECT_NE(error_of(dir.path / "missing.jsonl").find("cannot open"), std::string::npos);
  // A log cut off mid-run still reads: the report of a run still going.
  write_lines(p, {run, layout});
  EXPECT_FALSE(read_run_log(p).ended);
  // A run killed while writing a line leaves it cut, without its line break: the log
  // reads as far as the line before it.
  std::ofstream(p, std::ios::binary) << run << "\n"
                                     << layout << "\n"
                                     << R"({"type":"step","step":1,"ep)";
  const RunLog cut = read_run_log(p);
  EXPECT_FALSE(cut.ended);
  EXPECT_EQ(cut.series.params, std::vector<std::string>{"layers.0.weight"});
}

TEST(Downsample, KeepsEachStretchsMinimumAndMaximumInOrder) {
  std::vector<Point> points;
  for (int i = 0; i < 10000; ++i) points.push_back({double(i), 1.0 + 0.001 * (i % 7)});
  points[4321].y = 50.0;  // a spike
  points[8765].y = -3.0;  // a dip
  points[100].y = std::nan("");
  const auto out = min_max_downsample(points, 100);
  EXPECT_LE(out.size(), 200u);
  const auto [lo, hi] = std::minmax_element(out.begin(), out.end(), [](Point a, Point b) { return a.y < b.y; });
  EXPECT_EQ(hi->y, 50.0);
  EXPECT_EQ(hi->x, 4321.0);
  EXPECT_EQ(lo->y, -3.0);
  EXPECT_TRUE(std::is_sorted(out.begin(), out.end(), [](Point a, Point b) { return a.x < b.x; }));
  for (const Point& p : out) EXPECT_TRUE(std::isfinite(p.y));
  const std::vector<Point> few{{0, 1}, {1, 2}, {2, 3}};
  EXPECT_EQ(min_max_downsample(few, 100).size(), 3u) << "short series are kept whole";
}

TEST(HeatColour, RunsFromDarkToBrightOverTheDecades) {
  EXPECT_EQ(heat_colour(1e-12, 1e-12, 1.0), "#440154");
  EXPECT_EQ(heat_colour(1.0, 1e-12, 1.0), "#fde725");
  EXPECT_EQ(heat_colour(1e-20, 1e-12, 1.0), "#440154") << "clamped below";
  EXPECT_EQ(heat_colour(0.0, 1e-12, 1.0), "#440154") << "a zero norm is the darkest";
}

// Occurrences of `what` in `text`.
std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

TEST(HtmlReport, IsSelfContainedAndShowsWhatTheLogHolds) {
  const LoggedRun run;
  const RunLog log = read_run_log(*run.config.log);
  const std::string html = html_report(log);
  for (const char* external : {"http://", "https://", "src=", "<link", "@import"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(url\((?!#))"))) << "only references within the file";
  std::size_t weights = 0;
  for (ParamRole r : log.series.roles) weights += r == ParamRole::weight;
  EXPECT_EQ(count(html, "class=\"heat-row\""), weights) << "one heat-map row per weight tensor";
  std::string symptoms;
  for (const Finding& f : log.findings) {
    EXPECT_NE(html.find(fmt::format("data-symptom=\"{}\"", f.symptom)), std::string::npos) << f.symptom;
  }
  EXPECT_EQ(count(html, "class=\"finding "), log.findings.size());
  for (const char* section : {"id=\"run\"", "id=\"findings\"", "id=\"curves\"", "id=\"gradients\"", "id=\"updates\"",
                              "id=\"activations\"", "id=\"evaluation\"", "id=\"roc-chart\"", "id=\"pr-chart\"",
                              "id=\"confusion-matrix\""}) {
    EXPECT_NE(html.find(section), std::string::npos) << section;
  }
  EXPECT_NE(html.find("healthy 0.001 to 0.1"), std::string::npos) << "the heat map's legend marks the healthy range";
  EXPECT_NE(html.find("best epoch"), std::string::npos);
  EXPECT_NE(html.find("prefers-color-scheme:dark"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
}

// A repair's trials and the rollbacks of the run it replaced are in the log (its "repair"
// line, after the end of the run the trials followed), so a report drawn from the log
// alone shows them.
TEST(HtmlReport, DrawsTheRepairsTrialsAndRollbacksFromTheLog) {
  const LoggedRun run;
  EXPECT_EQ(html_report(read_run_log(*run.config.log)).find("id=\"trials\""), std::string::npos)
      << "no repair, no trials section";
  RepairReport repair;
  repair.metric = "accuracy";
  repair.spread = 0.02;
  repair.trials.push_back({.kind = Trial::Kind::baseline,
                           .change = "baseline",
                           .epochs = 4,
                           .findings_left = {"vanishing_gradients"},
                           .val_metric = 0.5});
  repair.trials.push_back({.kind = Trial::Kind::fix,
                           .change = "--norm <batch>",
                           .epochs = 4,
                           .val_metric = kDivergedMetric,
                           .effect = -3.0});
  repair.trials.push_back({.kind = Trial::Kind::fix,
                           .change = "--activation relu --init he",
                           .epochs = 4,
                           .val_metric = 0.875,
                           .effect = 18.75,
                           .kept = true});
  repair.best_metric = 0.875;
  nlohmann::json line = repair_json(repair);
  line["rollbacks"] = nlohmann::json::array({rollback_json({.step = 7,
                                                           .epoch = 1,
                                                           .problem = "loss_spike",
                                                           .detail = "loss 9e+04",
                                                           .action = "divided the learning rate by 10"})});
  append_repair(*run.config.log, line);
  const RunLog log = read_run_log(*run.config.log);
  ASSERT_TRUE(log.repair);
  EXPECT_TRUE(log.ended) << "the end line stays the training's";
  const std::string html = html_report(log);
  const std::size_t trials = html.find("id=\"trials\"");
  ASSERT_NE(trials, std::string::npos);
  EXPECT_NE(html.find("<code>--activation relu --init he</code>", trials), std::string::npos);
  EXPECT_NE(html.find("<code>--norm &lt;batch&gt;</code>", trials), std::string::npos) << "escaped";
  EXPECT_NE(html.find("diverged", trials), std::string::npos);
  EXPECT_NE(html.find("+18.8× spread", trials), std::string::npos);
  EXPECT_NE(html.find("vanishing_gradients", trials), std::string::npos);
  const std::size_t rollbacks = html.find("id=\"rollbacks\"");
  ASSERT_NE(rollbacks, std::string::npos) << "the replaced run's rollbacks";
  EXPECT_NE(html.find("The run as configured, which the repaired run replaced", rollbacks), std::string::npos);
  EXPECT_NE(html.find("loss 9e+04", rollbacks), std::string::npos);
  EXPECT_NE(html.find("The repaired run: none.", rollbacks), std::string::npos);
}

TEST(HtmlReport, StaysSmallForALongRun) {
  // 16 weight tensors and 200,000 steps, as a long run's log holds them.
  RunLog log;
  MonitorSeries& s = log.series;
  for (int l = 0; l < 16; ++l) {
    s.params.push_back(fmt::format("layers.{}.weight", 2 * l));
    s.roles.push_back(ParamRole::weight);
    s.params.push_back(fmt::format("layers.{}.bias", 2 * l));
    s.roles.push_back(ParamRole::bias);
    s.probed.push_back({.name = fmt::format("layers.{}", 2 * l + 1), .activation = Activation::relu, .width = 64});
  }
  const std::size_t steps = 200000, p = s.params.size();
  for (std::size_t i = 0; i < steps; ++i) {
    s.steps.push_back(static_cast<Index>(i + 1));
    s.epochs.push_back(static_cast<Index>(i / 1000 + 1));
    s.loss.push_back(1.0 / double(i + 1));
    s.learning_rate.push_back(1e-3);
    s.grad_norm.push_back(0.1);
    for (std::size_t k = 0; k < p; ++k) {
      s.param_grad_norm.push_back(float(1e-3 * double(k + 1) * (1.0 + double(i % 13) / 13)));
      s.param_weight_norm.push_back(1.0f);
      s.param_update_ratio.push_back(float(1e-3 * (1.0 + double(i % 17) / 17)));
    }
    if (i % 10 == 0) {
      s.probe_steps.push_back(static_cast<Index>(i + 1));
      for (int l = 0; l < 16; ++l) s.activation.push_back({.dead = double(i % 5) / 10});
    }
  }
  for (Index e = 1; e <= 200; ++e) s.epoch_logs.push_back({.epoch = e, .train_loss = 1.0 / double(e), .val_loss = 1.1 / double(e)});
  const std::string html = html_report(log);
  EXPECT_LT(html.size(), 600u * 1024) << "a few hundred KB at most";
  EXPECT_EQ(count(html, "class=\"heat-row\""), 16u);
}

TEST(LayerTable, MarksTheLayersAWarningNamesInNetworkOrder) {
  MonitorSeries s;
  for (int l : {0, 2, 10}) {
    s.params.push_back(fmt::format("layers.{}.weight", l));
    s.roles.push_back(ParamRole::weight);
  }
  s.probed.push_back({.name = "layers.9", .activation = Activation::sigmoid, .width = 8});
  for (int i = 0; i < 40; ++i) {
    s.steps.push_back(i + 1);
    for (double g : {1e-9, 1e-2, 0.5}) s.param_grad_norm.push_back(float(g));
    for (int k = 0; k < 3; ++k) s.param_update_ratio.push_back(1e-3f);
    s.probe_steps.push_back(i + 1);
    s.activation.push_back({.saturated = 0.75});
  }
  Finding f{.symptom = "deep_saturating", .severity = Severity::error};
  f.chain.push_back({.symptom = "vanishing_gradients", .layers = {"layers.0"}});
  Finding quiet{.symptom = "saturation", .severity = Severity::info, .layers = {"layers.9"}};
  const std::string table = layer_table(s, {f, quiet});
  const auto at = [&](const std::string& name) { return table.find("\n" + name + " "); };
  ASSERT_NE(at("layers.0"), std::string::npos) << table;
  EXPECT_LT(at("layers.2"), at("layers.9")) << table;
  EXPECT_LT(at("layers.9"), at("layers.10")) << "numbers compare as numbers\n" << table;
  const std::string first = table.substr(at("layers.0") + 1, table.find('\n', at("layers.0") + 1) - at("layers.0") - 1);
  EXPECT_NE(first.find("◀ vanishing_gradients"), std::string::npos) << "a link of the chain names it\n" << table;
  EXPECT_NE(first.find("1e-09"), std::string::npos) << table;
  EXPECT_NE(first.find("▁▁▁▁"), std::string::npos) << "the lowest of the shared scale\n" << table;
  EXPECT_NE(table.find("0.75 saturated"), std::string::npos) << table;
  EXPECT_EQ(table.find("◀ saturation"), std::string::npos) << "info marks nothing\n" << table;
}

TEST(HtmlReport, DrawsAMulticlassRunWithoutBinaryCurves) {
  const LoggedRun run(Task::multiclass);
  const std::string html = html_report(read_run_log(*run.config.log));
  EXPECT_NE(html.find("id=\"confusion-matrix\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"roc-chart\""), std::string::npos);
  EXPECT_NE(html.find("multiclass"), std::string::npos);
}

}  // namespace
}  // namespace glassnet
