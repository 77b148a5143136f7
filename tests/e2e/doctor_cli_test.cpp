// glassnet doctor and train --auto-repair through the real executable: the diagnosis,
// the trials, the best configuration as TOML that train accepts, and repair during
// training.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "browser.hpp"
#include "glassnet/report/run_log.hpp"
#include "run_command.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using testing::read_text;
using testing::run_command;

class DoctorCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("glassnet-doctor-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_EQ(run_command(cli() + " synth xor --rows 1000 --features 10 --seed 3 --out " + path("xor.csv")).exit_code,
              0);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // The incident's set-up, smaller (the sanitizer build runs these too): 12 sigmoid
  // layers of 32, SGD with momentum, 8 epochs a run.
  std::string sick() const {
    return " --data " + path("xor.csv") +
           " --activation sigmoid --optimizer momentum --lr 0.05 --layers 32,32,32,32,32,32,32,32,32,32,32,32";
  }
  fs::path dir_;
};

TEST_F(DoctorCli, DiagnosesWithoutRepairAndWritesNothing) {
  const auto r =
      run_command("cd " + dir_.string() + " && " + cli() + " doctor --epochs 8" + sick() + " --log " + path("d.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The diagnosis wrote no model, and its log names none (it named a trial's, removed).
  const RunLog log = read_run_log(path("d.jsonl"));
  EXPECT_EQ(log.files, nlohmann::json({{"log", path("d.jsonl")}})) << log.files.dump();
  EXPECT_FALSE(log.repair.has_value()) << "no trials without --repair";
  EXPECT_NE(r.output.find("[error] deep_saturating"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("which led to vanishing_gradients"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("trials"), std::string::npos) << "no trials without --repair";
  EXPECT_FALSE(fs::exists(path("best.toml"))) << "the best configuration comes from --repair";
}

// A diagnosis that diverges: what it prints, its log and `summary --log` hold the same
// findings, non_finite first; the log holds no trials (none were asked for).
TEST_F(DoctorCli, ADiagnosisThatDivergesLogsTheFindingsItPrints) {
  const auto r = run_command(cli() + " doctor --epochs 3 --data " + path("xor.csv") +
                             " --optimizer sgd --lr 1e6 --log " + path("run.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[error] non_finite: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the diagnostic run, layer by layer"), std::string::npos)
      << "the steps before the failure are the evidence\n"
      << r.output;
  const RunLog log = read_run_log(path("run.jsonl"));
  ASSERT_TRUE(log.error.has_value());
  ASSERT_FALSE(log.findings.empty());
  EXPECT_EQ(log.findings.front().symptom, "non_finite");
  for (const Finding& f : log.findings) {
    EXPECT_NE(r.output.find("] " + f.symptom + ": "), std::string::npos) << f.symptom << " printed too\n" << r.output;
  }
  EXPECT_FALSE(log.repair.has_value()) << "no trials without --repair";
  const auto summary = run_command(cli() + " summary --log " + path("run.jsonl"));
  ASSERT_EQ(summary.exit_code, 0) << summary.output;
  EXPECT_NE(summary.output.find("[error] non_finite: "), std::string::npos) << summary.output;
  EXPECT_EQ(summary.output.find("repair:"), std::string::npos) << summary.output;
}

// Batch normalisation cannot train on batches of one row: the repair does not try it
// there (the trial's error ended the whole repair, after ReLU + He had been kept), and
// train refuses the pair before reading the data.
TEST_F(DoctorCli, AFixThatCannotTrainIsNotTried) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 200 --seed 3 --out " + path("moons.csv")).exit_code, 0);
  const std::string sigmoid = " --data " + path("moons.csv") + " --activation sigmoid --layers 16,16,16,16,16,16";
  const auto r = run_command(cli() + " doctor --repair --epochs 3 --batch-size 1" + sigmoid + " --best " +
                             path("best.toml"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\n  --activation relu --init he "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("\n  --norm batch "), std::string::npos) << "no trial of it\n" << r.output;
  EXPECT_NE(r.output.find("try, in order: `--activation relu --init he` `--residual`\n"), std::string::npos)
      << "nor advice of it\n"
      << r.output;
  EXPECT_EQ(r.output.find("`--norm batch`"), std::string::npos) << r.output;
  // A diagnosis that diverges is a finding of its own: the same holds for its advice.
  const auto diverged =
      run_command(cli() + " doctor --epochs 3 --batch-size 1 --optimizer sgd --lr 1000 --data " + path("moons.csv"));
  EXPECT_NE(diverged.output.find("non_finite"), std::string::npos) << diverged.output;
  EXPECT_NE(diverged.output.find("`--clip-norm 1.0`"), std::string::npos) << diverged.output;
  EXPECT_EQ(diverged.output.find("`--norm batch`"), std::string::npos) << diverged.output;
  EXPECT_TRUE(fs::exists(path("best.toml")));
  const auto plain = run_command(cli() + " train --norm batch --batch-size 1 --data " + path("moons.csv") +
                                 " --out " + path("m.safetensors") + " --log " + path("m.jsonl"));
  EXPECT_EQ(plain.exit_code, 2) << plain.output;
  EXPECT_NE(plain.output.find("--norm batch needs --batch-size 2 or more"), std::string::npos) << plain.output;
  EXPECT_FALSE(fs::exists(path("m.jsonl"))) << "refused before anything is written";
}

TEST_F(DoctorCli, EachTrialLineEndsWithItsTime) {
  const auto r = run_command(cli() + " doctor --repair --budget 24 --epochs 4" + sick() + " --best " + path("b.toml"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // "  baseline   accuracy 0.5225   left: ...   12 ms": milliseconds under a second.
  const std::regex timed(R"(\n  baseline .* ([1-9][0-9]* ms|[1-9][0-9]*\.[0-9] s)\n)");
  EXPECT_TRUE(std::regex_search(r.output, timed)) << r.output;
}

// A regression's trials are judged and printed by R², whether the task was given or
// inferred from the target (an inferred one was printed as "accuracy"), and the trials
// announce their length even when the diagnosis diverged in its first epoch.
TEST_F(DoctorCli, ARegressionIsJudgedByR2) {
  std::ofstream(path("reg.csv")) << "a,b,y\n";
  {
    std::ofstream out(path("reg.csv"), std::ios::app);
    for (int i = 0; i < 200; ++i)
      out << i % 7 * 0.1 << "," << i % 11 * 0.1 << "," << 1.5 + i % 7 * 0.2 - i % 11 * 0.05 << "\n";
  }
  const std::string common = cli() + " doctor --repair --budget 16 --epochs 4 --data " + path("reg.csv") +
                             " --activation sigmoid --layers 16,16,16,16,16,16 --best " + path("b.toml");
  const auto text = run_command(common);
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("  baseline"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find(" r2 "), std::string::npos) << text.output;
  EXPECT_EQ(text.output.find("accuracy"), std::string::npos) << text.output;
  const auto json = run_command(common + " --json");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_EQ(nlohmann::json::parse(json.output)["metric"], "r2") << json.output;
  const auto diverged = run_command(cli() + " doctor --repair --budget 8 --epochs 4 --data " + path("reg.csv") +
                                    " --optimizer sgd --lr 1e30 --best " + path("b2.toml"));
  ASSERT_EQ(diverged.exit_code, 0) << diverged.output;
  EXPECT_NE(diverged.output.find("trials, 4 epochs each"), std::string::npos) << diverged.output;
  EXPECT_NE(diverged.output.find("no layer table"), std::string::npos) << diverged.output;
}

TEST_F(DoctorCli, WritesNoCheckpointsAndSaysSo) {
  const auto r = run_command(cli() + " doctor --epochs 2" + sick() + " --checkpoint-dir " + path("ck"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--checkpoint-dir"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(path("ck")));
  const auto help = run_command(cli() + " doctor --help");
  EXPECT_EQ(help.output.find("--resume"), std::string::npos) << help.output;
}

TEST_F(DoctorCli, RepairTriesTheFixesAndWritesTheBestConfigurationForTrain) {
  const auto r =
      run_command(cli() + " doctor --repair --json --epochs 8" + sick() + " --best " + path("best.toml") + " --out " +
                  path("model.safetensors"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  ASSERT_FALSE(j["findings"].empty());
  EXPECT_EQ(j["findings"][0]["symptom"], "deep_saturating");
  const auto& trials = j["trials"];
  ASSERT_GE(trials.size(), 4u) << r.output;
  EXPECT_EQ(trials[0]["change"], "baseline");
  for (const auto& t : trials) {
    for (const char* key : {"change", "findings_left", "val_metric", "seconds", "effect", "kept"}) {
      EXPECT_TRUE(t.contains(key)) << key << " in " << t.dump();
    }
  }
  EXPECT_EQ(trials[3]["change"], "--activation relu --init he");
  EXPECT_TRUE(trials[3]["kept"].get<bool>());
  EXPECT_EQ(j["best"]["config"]["activation"], "relu");
  EXPECT_GT(j["best"]["val_metric"].get<double>(), 0.8);
  EXPECT_EQ(j["files"]["config"], path("best.toml"));
  EXPECT_FALSE(fs::exists(path("model.safetensors"))) << "the doctor trains no model of its own";

  // The best configuration is a --config file train accepts, and it learns.
  const auto train = run_command(cli() + " train --json --config " + path("best.toml") + " --out " +
                                 path("model.safetensors"));
  ASSERT_EQ(train.exit_code, 0) << train.output;
  EXPECT_GT(nlohmann::json::parse(train.output)["metrics"]["val"]["accuracy"].get<double>(), 0.8);
}

TEST_F(DoctorCli, TrainWithAutoRepairTrainsTheRepairedConfiguration) {
  const auto r =
      run_command(cli() + " train --auto-repair --json --epochs 8" + sick() + " --out " + path("model.safetensors") +
                  " --log " + path("run.jsonl") + " --report " + path("run.html") + " --checkpoint-dir " + path("ck"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  ASSERT_TRUE(j["repair"].is_object()) << r.output;
  EXPECT_EQ(j["repair"]["best"]["config"]["activation"], "relu");
  EXPECT_GT(j["metrics"]["val"]["accuracy"].get<double>(), 0.8) << "the model written is the repaired one";
  for (const auto& f : j["findings"]) EXPECT_NE(f["severity"], "error") << f.dump();
  EXPECT_TRUE(fs::exists(path("model.safetensors")));
  // The repaired run's log holds the trials that chose it, and its report draws them.
  const RunLog log = read_run_log(path("run.jsonl"));
  ASSERT_TRUE(log.repair);
  ASSERT_EQ(log.repair->trials.size(), j["repair"]["trials"].size());
  for (std::size_t i = 0; i < log.repair->trials.size(); ++i) {
    EXPECT_EQ(log.repair->trials[i].change, j["repair"]["trials"][i]["change"]) << i;
    EXPECT_EQ(log.repair->trials[i].kept, j["repair"]["trials"][i]["kept"]) << i;
  }
  EXPECT_EQ(log.config["activation"], "relu") << "the log is the repaired run's";
  EXPECT_EQ(log.threads, j["threads"].get<int>()) << "the count it ended on, not its trial's one";
  const std::string html = read_text(path("run.html"));
  EXPECT_NE(html.find("id=\"trials\""), std::string::npos);
  EXPECT_NE(html.find("<code>--activation relu --init he</code>"), std::string::npos);
  // The repaired run writes the checkpoints to its last epoch (they stopped at the
  // trials), under its own options: resuming names the options it was repaired to.
  EXPECT_EQ(j["files"]["checkpoints"], path("ck"));
  EXPECT_TRUE(fs::exists(path("ck/checkpoint-epoch-000008.safetensors")));
  const auto resumed = run_command(cli() + " train --auto-repair --resume --epochs 9" + sick() + " --out " +
                                   path("resumed.safetensors") + " --checkpoint-dir " + path("ck"));
  EXPECT_EQ(resumed.exit_code, 2) << resumed.output;
  EXPECT_NE(resumed.output.find("the run it continues had --activation relu (not sigmoid)"), std::string::npos)
      << resumed.output;
}

// The trials' header names the trial length, not the first trial's epochs: a baseline
// that diverged trained none ("trials, 0 epochs each").
TEST_F(DoctorCli, TheTrialsHeaderNamesTheTrialLengthWhenTheBaselineDiverged) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 300 --out " + path("moons.csv")).exit_code, 0);
  const auto r = run_command(cli() + " train --data " + path("moons.csv") +
                             " --task regression --optimizer sgd --lr 1e6 --layers 8 --epochs 8 --auto-repair --log " +
                             path("run.jsonl") + " --out " + path("m.safetensors"));
  ASSERT_NE(r.output.find("baseline                                      diverged"), std::string::npos) << r.output;
  const std::string header = "repair: trials, 3 epochs each, from the same seed and data order";
  EXPECT_NE(r.output.find(header), std::string::npos) << r.output;
  const auto summary = run_command(cli() + " summary --log " + path("run.jsonl"));
  EXPECT_NE(summary.output.find(header), std::string::npos) << summary.output;
}

// A fix that changes the task changes the metric: each trial's value is named by its
// own (the report's column read "validation accuracy" over R², and "from 0.7202" was
// an R² beside an accuracy).
TEST_F(DoctorCli, TrialsOfAnotherTaskNameTheirOwnMetric) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 1000 --out " + path("moons.csv")).exit_code, 0);
  const auto r = run_command(cli() + " train --data " + path("moons.csv") +
                             " --task regression --auto-repair --epochs 20 --report " + path("r.html") + " --out " +
                             path("r.safetensors"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("best: --task binary (accuracy "), std::string::npos) << r.output;
  // The metric is the trial's (a quarter of the run), not the end's that the run printed.
  EXPECT_NE(r.output.find(" in its 5-epoch trial, from r2 0."), std::string::npos) << r.output;
  const std::string html = read_text(path("r.html"));
  EXPECT_NE(html.find("<th>validation metric</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>r2 0."), std::string::npos);
  EXPECT_NE(html.find("<td>accuracy 0."), std::string::npos);
}

// The trial table's columns line up when a change of task changes the metric: unbalanced
// labels trained as a regression go from R² to balanced accuracy, the longest name.
TEST_F(DoctorCli, TheTrialTableLinesUpAcrossAChangeOfMetric) {
  ASSERT_EQ(run_command(cli() + " synth fraud --rows 4000 --fraud-rate 0.05 --seed 3 --out " + path("f.csv")).exit_code,
            0);
  const auto r = run_command(cli() + " train --data " + path("f.csv") +
                             " --task regression --auto-repair --epochs 12 --out " + path("f.safetensors"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // What follows the value starts in one column on every line.
  const std::regex value(R"((\n  .*? (r2|accuracy|balanced_accuracy) -?[0-9.]+ +)[^ ])");
  std::set<std::size_t> columns;
  std::set<std::string> metrics;
  for (auto m = std::sregex_iterator(r.output.begin(), r.output.end(), value); m != std::sregex_iterator(); ++m) {
    columns.insert(static_cast<std::size_t>((*m)[1].length()));
    metrics.insert((*m)[2].str());
  }
  EXPECT_EQ(metrics, (std::set<std::string>{"balanced_accuracy", "r2"})) << r.output;
  EXPECT_EQ(columns.size(), 1u) << r.output;
}

// The majority-class baseline is taken on the rows the accuracy is: a validation file of
// 90 % class 1 has a baseline of 0.900, not the training rows' 0.500 (a model that
// always said 1 passed for one that learned).
TEST_F(DoctorCli, TheBaselineIsTheValidationRowsMajority) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 1000 --out " + path("moons.csv")).exit_code, 0);
  std::string val = "x0,x1,label\n";
  for (int i = 0; i < 100; ++i) val += fmt::format("{},{},{}\n", 0.01 * i, 0.5 - 0.01 * i, i < 90 ? 1 : 0);
  std::ofstream(path("val90.csv")) << val;
  const auto r = run_command(cli() + " doctor --data " + path("moons.csv") + " --val-data " + path("val90.csv") +
                             " --optimizer sgd --lr 1e-6");
  EXPECT_NE(r.output.find("majority-class baseline 0.900"), std::string::npos) << r.output;
}

TEST_F(DoctorCli, AutoRepairRollsBackALearningRateFarTooHigh) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 1000 --seed 3 --out " + path("moons.csv")).exit_code, 0);
  const std::string base = " train --json --data " + path("moons.csv") +
                           " --optimizer sgd --lr 300 --layers 32,32 --batch-size 32 --epochs 12 --out " +
                           path("m.safetensors");
  EXPECT_EQ(run_command(cli() + base).exit_code, 3) << "lr 300 diverges without repair";
  const auto r = run_command(cli() + base + " --auto-repair --log " + path("run.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  ASSERT_FALSE(j["rollbacks"].empty()) << r.output;
  EXPECT_EQ(j["rollbacks"][0]["problem"], "non_finite");
  EXPECT_NE(j["rollbacks"][0]["action"].get<std::string>().find("divided the learning rate by 10"),
            std::string::npos);
  EXPECT_GT(j["metrics"]["val"]["accuracy"].get<double>(), 0.85);
  // The log is the written model's run: the repaired one when a trial's fix was kept,
  // else the run as configured, which carried on after the trials.
  bool fix_kept = false;
  if (j["repair"].is_object()) {
    for (const auto& t : j["repair"]["trials"]) fix_kept = fix_kept || t["kept"].get<bool>();
  }
  const std::string logged_run = fix_kept ? "repaired" : "as configured";
  int expected = 0;
  for (const auto& e : j["rollbacks"]) expected += e["run"] == logged_run ? 1 : 0;
  std::ifstream log(path("run.jsonl"));
  int rollback_lines = 0;
  for (std::string line; std::getline(log, line);) rollback_lines += nlohmann::json::parse(line)["type"] == "rollback";
  EXPECT_EQ(rollback_lines, expected);
  // Those of the run as configured, when a repaired run replaced it, are in the log's
  // repair line; a report drawn from the log shows both.
  const RunLog read = read_run_log(path("run.jsonl"));
  ASSERT_EQ(read.repair.has_value(), j["repair"].is_object());
  const std::size_t replaced = j["rollbacks"].size() - static_cast<std::size_t>(expected);
  if (read.repair) {
    EXPECT_EQ(read.repair->replaced_rollbacks.size(), replaced);
  }
  EXPECT_EQ(read.rollbacks.size() + replaced, j["rollbacks"].size());
  ASSERT_EQ(run_command(cli() + " report --log " + path("run.jsonl") + " --out " + path("run.html")).exit_code, 0);
  const std::string html = read_text(path("run.html"));
  EXPECT_NE(html.find("id=\"rollbacks\""), std::string::npos);
  EXPECT_NE(html.find("divided the learning rate by 10"), std::string::npos);
}

// `glassnet demo`, as `make demo` runs it (about 20 s; named Incident so that the
// sanitizer build, where it would take minutes, leaves it out).
TEST(Incident, TheDemoTellsTheStoryEndToEnd) {
  const fs::path dir = fs::temp_directory_path() / ("glassnet-demo-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto r = run_command(cli() + " demo --dir " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The story in order: stuck at chance, the doctor's finding with the numbers, the
  // trials, the repaired run, the two side by side, the files.
  std::size_t at = 0;
  for (const char* part : {"15 sigmoid hidden layers", "The doctor says why", "vanishing_gradients",
                           "layers.0.weight gradient norm", "The repair", "--activation relu --init he",
                           "kept (", "Training the repaired network", "15 × sigmoid    repaired", "Written in",
                           "incident.html", "repaired.html"}) {
    const auto found = r.output.find(part, at);
    ASSERT_NE(found, std::string::npos) << "missing, or out of order: " << part << "\n" << r.output;
    at = found;
  }
  for (const char* file : {"fraud.csv", "incident.jsonl", "repaired.jsonl", "best.toml", "repaired.safetensors",
                           "incident.html", "repaired.html"}) {
    EXPECT_TRUE(fs::exists(dir / file)) << file;
  }
  // The reports in a browser; the first layer's heat-map row is dark before the repair
  // (vanishing gradients: the bottom of the colour scale) and bright after it.
  testing::check_report_in_browser(dir / "incident.html", dir / "incident.jsonl", "demo-incident", dir);
  testing::check_report_in_browser(dir / "repaired.html", dir / "repaired.jsonl", "demo-repaired", dir);
  const auto first_row_greens = [](const fs::path& html) {
    const std::string s = read_text(html);
    const auto row = s.find("class=\"heat-row\"");
    const std::string first = s.substr(row, s.find("</g>", row) - row);
    std::vector<int> greens;
    const std::regex fill(R"~(fill="#[0-9a-f]{2}([0-9a-f]{2})[0-9a-f]{2}")~");
    for (auto it = std::sregex_iterator(first.begin(), first.end(), fill); it != std::sregex_iterator(); ++it) {
      greens.push_back(std::stoi((*it)[1], nullptr, 16));
    }
    return greens;
  };
  const auto before = first_row_greens(dir / "incident.html"), after = first_row_greens(dir / "repaired.html");
  ASSERT_FALSE(before.empty());
  ASSERT_FALSE(after.empty());
  EXPECT_LT(*std::max_element(before.begin(), before.end()), 0x60) << "the frozen first layer is a dark band";
  EXPECT_GT(*std::min_element(after.begin() + static_cast<std::ptrdiff_t>(after.size() / 4), after.end()), 0x80)
      << "after the first stretch of steps the repaired first layer is bright";
  // The repaired model, evaluated by the CLI on the demo's data, is far from chance.
  const auto eval = run_command(cli() + " eval --json --model " + (dir / "repaired.safetensors").string() +
                                " --data " + (dir / "fraud.csv").string());
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_GT(nlohmann::json::parse(eval.output)["metrics"]["precision"].get<double>(), 0.9);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace glassnet
