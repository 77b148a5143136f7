// The HTML report and the terminal views through the real executable: train --report,
// glassnet report and summary on a log, doctor --report, bad logs; and the reports
// loaded in headless Chromium — no console errors, a drawing in every chart, one heat-map
// row per monitored layer, the log's findings — with a screenshot under the build folder.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "browser.hpp"
#include "glassnet/report/run_log.hpp"
#include "run_command.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;
using testing::cli;
using testing::read_text;
using testing::run_command;

class ReportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("glassnet-report-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_EQ(run_command(cli() + " synth moons --rows 600 --seed 3 --out " + path("moons.csv")).exit_code, 0);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(ReportCli, TrainWritesTheReportAndPrintsTheLayerTable) {
  const auto r = run_command(cli() + " train --data " + path("moons.csv") + " --epochs 3 --out " + path("m.safetensors") +
                             " --report " + path("run.html"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("gradient norm"), std::string::npos) << "the layer table\n" << r.output;
  EXPECT_NE(r.output.find("layers.0 "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("report written to " + path("run.html")), std::string::npos) << r.output;
  const std::string html = read_text(path("run.html"));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("id=\"gradient-heatmap\""), std::string::npos);
}

TEST_F(ReportCli, AnyLogCanBeDrawnAgainAndSummarised) {
  ASSERT_EQ(run_command(cli() + " train --quiet --data " + path("moons.csv") + " --epochs 3 --out " +
                        path("m.safetensors") + " --log " + path("run.jsonl"))
                .exit_code,
            0);
  const auto r = run_command(cli() + " report --log " + path("run.jsonl") + " --out " + path("again.html"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(path("again.html")));
  const auto s = run_command(cli() + " summary --log " + path("run.jsonl"));
  ASSERT_EQ(s.exit_code, 0) << s.output;
  EXPECT_NE(s.output.find("binary task"), std::string::npos) << s.output;
  EXPECT_NE(s.output.find("update ratio"), std::string::npos) << s.output;
  EXPECT_NE(run_command(cli() + " summary").output.find("--model or --log"), std::string::npos);
}

TEST_F(ReportCli, ABadLogIsAnErrorWithItsLineAndNothingIsWritten) {
  std::ofstream(path("bad.jsonl"))
      << R"({"type":"run","schema":"glassnet-metrics","version":1,"config":{},"data":{},"threads":1})" << "\n"
      << R"({"type":"epoch","epoch":"one"})" << "\n";
  const auto r = run_command(cli() + " report --log " + path("bad.jsonl") + " --out " + path("bad.html"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(path("bad.jsonl") + ":2: \"epoch\" is not an integer"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(path("bad.html")));
  std::ofstream(path("binary.jsonl")) << std::string("\x01\x02garbage\n", 10);
  EXPECT_EQ(run_command(cli() + " report --log " + path("binary.jsonl") + " --out " + path("bad.html")).exit_code, 2);
  EXPECT_EQ(run_command(cli() + " summary --log " + path("binary.jsonl")).exit_code, 2);
}

TEST_F(ReportCli, DoctorsReportHoldsTheTrials) {
  const auto r = run_command(cli() + " doctor --repair --budget 12 --epochs 4 --data " + path("moons.csv") +
                             " --activation sigmoid --layers 16,16,16,16,16,16 --optimizer sgd --best " +
                             path("best.toml") + " --out " + path("m.safetensors") + " --report " +
                             path("doctor.html") + " --log " + path("doctor.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("the diagnostic run, layer by layer"), std::string::npos) << r.output;
  const std::string html = read_text(path("doctor.html"));
  EXPECT_NE(html.find("id=\"trials\""), std::string::npos);
  EXPECT_NE(html.find("<code>baseline</code>"), std::string::npos);
  const RunLog log = read_run_log(path("doctor.jsonl"));
  EXPECT_TRUE(log.ended) << "--log keeps the diagnostic run's log";
  // The trials are in the log (its last line), so a report drawn again from it has them.
  ASSERT_TRUE(log.repair);
  EXPECT_GE(log.repair->trials.size(), 2u);
  EXPECT_EQ(log.repair->trials.front().change, "baseline");
  const auto again = run_command(cli() + " report --log " + path("doctor.jsonl") + " --out " + path("again.html"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(read_text(path("again.html")).find("<code>baseline</code>"), std::string::npos);
  const auto summary = run_command(cli() + " summary --log " + path("doctor.jsonl"));
  ASSERT_EQ(summary.exit_code, 0) << summary.output;
  EXPECT_NE(summary.output.find("repair: trials, 4 epochs each"), std::string::npos) << summary.output;
  EXPECT_NE(summary.output.find("repair: best: "), std::string::npos) << summary.output;
  EXPECT_NE(summary.output.find(" in its 4-epoch trial"), std::string::npos) << summary.output;
  // The doctor judges its runs by the monitor: --monitor off is refused, as train
  // refuses --report with it (its runs turned the monitor on again, silently).
  const auto unmonitored = run_command(cli() + " doctor --epochs 2 --monitor off --data " + path("moons.csv") +
                                       " --report " + path("unmonitored.html"));
  EXPECT_EQ(unmonitored.exit_code, 2) << unmonitored.output;
  EXPECT_NE(unmonitored.output.find("the doctor needs the monitor"), std::string::npos) << unmonitored.output;
  EXPECT_FALSE(fs::exists(path("unmonitored.html")));
}

TEST_F(ReportCli, AMulticlassReportInABrowser) {
  // Three classes: how many of the two moons coordinates are positive.
  std::ifstream in(path("moons.csv"));
  std::ofstream out(path("three.csv"));
  std::string line;
  std::getline(in, line);
  out << line << "\n";
  while (std::getline(in, line)) {
    const double a = std::stod(line), b = std::stod(line.substr(line.find(',') + 1));
    out << line.substr(0, line.rfind(',')) << "," << (a > 0) + (b > 0) << "\n";
  }
  out.close();
  const auto r = run_command(cli() + " train --quiet --data " + path("three.csv") + " --epochs 4 --out " +
                             path("m.safetensors") + " --log " + path("three.jsonl") + " --report " + path("three.html"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(read_text(path("three.html")).find("multiclass"), std::string::npos);
  testing::check_report_in_browser(path("three.html"), path("three.jsonl"), "multiclass", dir_);
}

}  // namespace
}  // namespace glassnet
