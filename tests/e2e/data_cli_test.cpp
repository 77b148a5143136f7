// train, eval, predict, summary and synth through the real executable, as a new user
// runs them; and every kind of bad input: exit code 2, a message naming file, line and
// column, and no output file.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "glassnet/io/safetensors.hpp"
#include "idx_files.hpp"
#include "run_command.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;
using testing::cli;

// Three classes by the sign pattern of (a, b): a separable multiclass problem.
std::string fmt_row(int i) {
  const double a = ((i * 37) % 200) / 100.0 - 1.0, b = ((i * 53) % 200) / 100.0 - 1.0;
  const int label = a > 0 ? (b > 0 ? 2 : 1) : 0;
  return std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(label) + "\n";
}
using testing::run_command;

class DataCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("glassnet-e2e-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }
  static std::string bytes(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }
  // Runs train on `csv`, expecting exit 2, the fragment in the message, and no model.
  void expect_bad_input(const std::string& csv, const std::string& fragment, const std::string& extra = "") {
    const std::string data = write("bad.csv", csv);
    const auto r =
        run_command(cli() + " train --quiet --data " + data + " --out " + path("m.safetensors") + " " + extra);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(fragment), std::string::npos) << "expected '" << fragment << "' in:\n" << r.output;
    EXPECT_FALSE(fs::exists(path("m.safetensors"))) << "nothing may be written on bad input";
  }
  // A preflight warning that no trial can judge (row_number, date_column) on `data`:
  // --auto-repair reports it and runs no trials, and --ignore `column` clears it.
  void expect_no_trials_and_cleared_by_ignore(const std::string& data, const std::string& symptom,
                                              const std::string& column) {
    const auto repaired =
        run_command(cli() + " train --epochs 8 --auto-repair --data " + data + " --out " + path("b.safetensors"));
    ASSERT_EQ(repaired.exit_code, 0) << repaired.output;
    EXPECT_NE(repaired.output.find(symptom), std::string::npos) << repaired.output;
    EXPECT_EQ(repaired.output.find("repair:"), std::string::npos) << "no trials\n" << repaired.output;
    const auto ignored = run_command(cli() + " train --epochs 3 --ignore " + column + " --data " + data + " --out " +
                                     path("c.safetensors"));
    ASSERT_EQ(ignored.exit_code, 0) << ignored.output;
    EXPECT_EQ(ignored.output.find(symptom), std::string::npos) << ignored.output;
  }
  fs::path dir_;
};

TEST_F(DataCli, SynthTrainEvalPredictSummaryOnFraudData) {
  const std::string data = path("fraud.csv"), model = path("fraud.safetensors");
  ASSERT_EQ(run_command(cli() + " synth fraud --rows 3000 --seed 2 --out " + data).exit_code, 0);
  const auto train = run_command(cli() + " train --json --data " + data + " --target is_fraud --test-split 0.2 --out " +
                                 model + " --epochs 20");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  const auto result = nlohmann::json::parse(train.output);
  EXPECT_EQ(result["task"], "binary");
  for (const char* split : {"train", "val", "test"}) {
    ASSERT_TRUE(result["metrics"].contains(split)) << split;
    for (const char* metric : {"accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss"}) {
      EXPECT_TRUE(result["metrics"][split].contains(metric)) << split << " " << metric;
    }
  }
  EXPECT_GT(result["metrics"]["test"]["accuracy"].get<double>(), 0.85);
  EXPECT_TRUE(result["findings"].is_array());
  EXPECT_EQ(result["files"]["model"], model);
  ASSERT_TRUE(fs::exists(model));

  const auto eval = run_command(cli() + " eval --json --model " + model + " --data " + data);
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  const auto metrics = nlohmann::json::parse(eval.output);
  EXPECT_EQ(metrics["task"], "binary");
  EXPECT_GT(metrics["metrics"]["roc_auc"].get<double>(), 0.9);

  const auto predict =
      run_command(cli() + " predict --proba --model " + model + " --data " + data + " --out " + path("p.csv"));
  ASSERT_EQ(predict.exit_code, 0) << predict.output;
  std::ifstream in(path("p.csv"));
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header, "prediction,p_0,p_1");
  int rows = 0;
  while (std::getline(in, line)) ++rows;
  EXPECT_EQ(rows, 3000) << "one prediction per row, in order";

  const auto summary = run_command(cli() + " summary --model " + model);
  ASSERT_EQ(summary.exit_code, 0) << summary.output;
  EXPECT_NE(summary.output.find("linear(64)"), std::string::npos) << summary.output;
  EXPECT_NE(summary.output.find("trainable parameters"), std::string::npos) << summary.output;
}

// The layer table's column counts buffers too, and the totals say so: the rows add up
// to the last line (they added up to no line shown).
TEST_F(DataCli, SummaryOfAModelCountsParametersAndBuffers) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 200 --out " + path("moons.csv")).exit_code, 0);
  ASSERT_EQ(run_command(cli() + " train --quiet --epochs 1 --norm batch --layers 8,4 --data " + path("moons.csv") +
                        " --out " + path("bn.safetensors"))
                .exit_code,
            0);
  const auto summary = run_command(cli() + " summary --model " + path("bn.safetensors"));
  ASSERT_EQ(summary.exit_code, 0) << summary.output;
  // 2 inputs: linear(8) 2×8+8, batch_norm(8) weight, bias, running mean and variance 4×8,
  // linear(4) 8×4+4, batch_norm(4) 4×4, linear(1) 4+1.
  for (const std::string row : {"0 linear(8)            [B, 8]                     24\n",
                                "1 batch_norm           [B, 8]                     32\n",
                                "3 linear(4)            [B, 4]                     36\n",
                                "4 batch_norm           [B, 4]                     16\n",
                                "6 linear(1)            [B, 1]                      5\n",
                                "trainable parameters                              89\n",
                                "buffers (BatchNorm statistics)                    24\n",
                                "total (the column's sum)                         113\n"}) {
    EXPECT_NE(summary.output.find(row), std::string::npos) << row << summary.output;
  }
  // A residual block's row is as wide as its name, the columns after it in line.
  ASSERT_EQ(run_command(cli() + " train --quiet --epochs 1 --norm batch --layers 8,8 --residual --data " +
                        path("moons.csv") + " --out " + path("residual.safetensors"))
                .exit_code,
            0);
  const auto residual = run_command(cli() + " summary --model " + path("residual.safetensors"));
  EXPECT_NE(residual.output.find("0 linear(8)                           [B, 8]                     24\n"
                                 "1 batch_norm                          [B, 8]                     32\n"
                                 "2 relu                                [B, 8]                      0\n"
                                 "3 residual(linear(8) batch_norm relu) [B, 8]                    104\n"),
            std::string::npos)
      << residual.output;
}

// Validation rows far outside float's range: the validation loss is NaN, printed as
// "nan" (its sign means nothing; it read "-nan").
TEST_F(DataCli, ANaNLossIsPrintedWithoutASign) {
  const std::string data = write("d.csv", "x0,x1,label\n1,2,0\n2,1,1\n3,1,0\n1,3,1\n2,2,0\n3,3,1\n");
  const std::string huge = write("v.csv", "x0,x1,label\n1.5e38,-1.5e38,0\n-1.5e38,1.5e38,1\n");
  const auto r = run_command(cli() + " train --epochs 1 --data " + data + " --val-data " + huge + " --out " +
                             path("m.safetensors"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("val_loss nan "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("-nan"), std::string::npos) << r.output;
}

// A loss of 1e23 prints as 3.178e+23, not as its 24 digits and four decimals.
TEST_F(DataCli, AHugeLossIsPrintedWithAnExponent) {
  std::string csv = "x,y\n";
  for (int i = 1; i <= 100; ++i) csv += fmt::format("{},{}\n", i / 100.0, i * 1e10);
  const auto r =
      run_command(cli() + " train --epochs 1 --data " + write("d.csv", csv) + " --out " + path("m.safetensors"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("epoch +1/1  loss [0-9]\\.[0-9]{1,3}e\\+2[0-9]  val_loss [0-9]")))
      << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("  mse +[0-9]\\.[0-9]{1,3}e\\+2[0-9]\n"))) << r.output;
  EXPECT_FALSE(std::regex_search(r.output, std::regex("[0-9]{12}"))) << r.output;
}

// One epoch, one thread, one row: counted as one, in train, summary and eval alike.
TEST_F(DataCli, OneOfAnythingIsSingular) {
  const std::string data = write("d.csv", "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n");
  const std::string one_row = write("one.csv", "a,y\n1,0\n");
  const auto r = run_command(cli() + " train --epochs 1 --threads 1 --val-split 0 --data " + data + " --out " +
                             path("m.safetensors") + " --log " + path("run.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("binary task, 1 epoch, 1 thread\n"), std::string::npos) << r.output;
  const auto summary = run_command(cli() + " summary --log " + path("run.jsonl"));
  EXPECT_NE(summary.output.find(" training rows, 1 epoch\n"), std::string::npos) << summary.output;
  const auto eval = run_command(cli() + " eval --model " + path("m.safetensors") + " --data " + one_row);
  EXPECT_NE(eval.output.find("binary task, 1 row of "), std::string::npos) << eval.output;
}

TEST_F(DataCli, PredictRowsWithoutTheTargetAndStringLabels) {
  write("train.csv",
        "colour,size,label\nred,1,yes\nblue,5,no\nred,2,yes\nblue,6,no\nred,1.5,yes\nblue,5.5,no\n"
        "red,0.5,yes\nblue,7,no\n");
  write("new.csv", "size,colour\n1,red\n6,blue\n3,green\n");
  ASSERT_EQ(run_command(cli() + " train --quiet --data " + path("train.csv") + " --epochs 200 --val-split 0 --out " +
                        path("m.safetensors"))
                .exit_code,
            0);
  const auto p = run_command(cli() + " predict --model " + path("m.safetensors") + " --data " + path("new.csv"));
  ASSERT_EQ(p.exit_code, 0) << p.output;
  EXPECT_NE(p.output.find("prediction\nyes\nno\n"), std::string::npos) << p.output;
  EXPECT_NE(p.output.find("warning: 1 value with a category unseen in training, encoded as all zeros"),
            std::string::npos)
      << p.output;
  write("labelled.csv", "size,colour,label\n1,red,yes\n3,green,no\n");
  const auto e = run_command(cli() + " eval --model " + path("m.safetensors") + " --data " + path("labelled.csv"));
  ASSERT_EQ(e.exit_code, 0) << e.output;
  EXPECT_NE(e.output.find("warning: 1 value with a category unseen in training, encoded as all zeros"),
            std::string::npos)
      << e.output;
}

TEST_F(DataCli, SynthRefusesAnOptionItsKindDoesNotTake) {
  const auto features = run_command(cli() + " synth fraud --features 3 --out " + path("f.csv"));
  EXPECT_EQ(features.exit_code, 2);
  EXPECT_NE(features.output.find("--features"), std::string::npos) << features.output;
  const auto rate = run_command(cli() + " synth moons --fraud-rate 0.1 --out " + path("m.csv"));
  EXPECT_EQ(rate.exit_code, 2);
  EXPECT_NE(rate.output.find("--fraud-rate"), std::string::npos) << rate.output;
  EXPECT_FALSE(std::filesystem::exists(path("f.csv")) || std::filesystem::exists(path("m.csv")));
}

TEST_F(DataCli, MulticlassAndRegressionTasks) {
  ASSERT_EQ(run_command(cli() + " synth spirals --rows 600 --out " + path("s.csv")).exit_code, 0);
  const auto regression = run_command(cli() + " train --json --data " + path("s.csv") +
                                      " --target x1 --task regression --epochs 5 --out " + path("r.safetensors"));
  ASSERT_EQ(regression.exit_code, 0) << regression.output;
  const auto r = nlohmann::json::parse(regression.output);
  EXPECT_EQ(r["task"], "regression");
  for (const char* metric : {"mse", "rmse", "mae", "r2"}) EXPECT_TRUE(r["metrics"]["val"].contains(metric)) << metric;
  // A regression has no class probabilities: --proba is an error (it wrote none, silently).
  const auto proba = run_command(cli() + " predict --proba --model " + path("r.safetensors") + " --data " +
                                 path("s.csv") + " --out " + path("p.csv"));
  EXPECT_EQ(proba.exit_code, 2);
  EXPECT_NE(proba.output.find("--proba: " + path("r.safetensors") + " is a regression model"), std::string::npos)
      << proba.output;
  EXPECT_FALSE(std::filesystem::exists(path("p.csv")));

  std::string csv = "a,b,class\n";
  for (int i = 0; i < 300; ++i) csv += fmt_row(i);
  write("m.csv", csv);
  const auto multi =
      run_command(cli() + " train --json --data " + path("m.csv") + " --epochs 30 --out " + path("c.safetensors"));
  ASSERT_EQ(multi.exit_code, 0) << multi.output;
  const auto m = nlohmann::json::parse(multi.output);
  EXPECT_EQ(m["task"], "multiclass");
  EXPECT_TRUE(m["metrics"]["val"].contains("f1_weighted"));
  EXPECT_GT(m["metrics"]["val"]["accuracy"].get<double>(), 0.8);
}

TEST_F(DataCli, EveryBadInputIsExitTwoWithItsPositionAndNoModel) {
  expect_bad_input("a,b,y\n1,2,0\n3,4\n5,6,1\n", "bad.csv:3:1: expected 3 fields as in the header, found 2");
  expect_bad_input("a,y\n1,0\n2,1\nx3,0\n4,1\n", "bad.csv:4:1: expected a number in numeric column 'a'");
  expect_bad_input("", "bad.csv: the file is empty");
  expect_bad_input("a,b,y\n", "bad.csv: the file has a header but no data rows");
  expect_bad_input("a,y\n1,0\n2,1\n", "no column 'label' for the target (columns: a, y)", "--target label");
  expect_bad_input("a,y\n1,1\n2,1\n3,1\n", "the target column 'y' is constant");
  expect_bad_input("a,y\n1,0\n2,1\n3,2\n", "a binary task needs exactly 2 labels in 'y', found 3", "--task binary");
  expect_bad_input("a,b,y\n1,,0\n2,3,1\nNA,4,0\n5,6,1\n",
                   "column 'a': 1 (line 4); column 'b': 1 (line 2). Fix the data, or pass --impute");
  expect_bad_input("a,y\n1,\"0\n", "bad.csv:2:3: a quoted field is not closed");
  expect_bad_input("a,y\n1,0\n2,1\n", "--lr", "--lr -1");
  const auto missing = run_command(cli() + " train --data " + path("nope.csv") + " --out " + path("m.safetensors"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("nope.csv: cannot open"), std::string::npos) << missing.output;
}

TEST_F(DataCli, CtrlCStopsAfterTheBatchSavesTheModelAndSaysSo) {
  ASSERT_EQ(run_command(cli() + " synth fraud --rows 50000 --out " + path("big.csv")).exit_code, 0);
  // Train for far longer than the test waits, then send SIGINT as Ctrl-C would.
  const std::string train = cli() + " train --data " + path("big.csv") + " --target is_fraud --epochs 100000 " +
                            "--early-stopping 0 --checkpoint-dir " + path("ckpt") + " --out " + path("m.safetensors");
  const auto r = run_command("(" + train + " > " + path("train.log") + " 2>&1 & pid=$!; " + "i=0; while [ ! -e " +
                             path("ckpt") + " ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; " +
                             "kill -INT $pid; wait $pid; echo exit=$?; cat " + path("train.log") + ")");
  EXPECT_NE(r.output.find("exit=130"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("interrupted after"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the model was saved to " + path("m.safetensors")), std::string::npos) << r.output;
  const auto eval = run_command(cli() + " eval --model " + path("m.safetensors") + " --data " + path("big.csv"));
  EXPECT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_TRUE(fs::exists(path("ckpt") + "/checkpoint-epoch-000001.safetensors"));
}

TEST_F(DataCli, ProgressIsALiveLineOnATerminalAndPlainLinesOtherwise) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 400 --out " + path("m.csv")).exit_code, 0);
  const std::string train =
      cli() + " train --epochs 3 --early-stopping 0 --data " + path("m.csv") + " --out " + path("m.safetensors");
  const auto plain = run_command(train);
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_NE(plain.output.find("epoch    1/3  loss "), std::string::npos) << plain.output;
  EXPECT_NE(plain.output.find("epoch    3/3  loss "), std::string::npos) << plain.output;
  EXPECT_EQ(plain.output.find('\r'), std::string::npos) << "no live line when not on a terminal";
  // script(1) runs the command on a pseudo-terminal.
  const auto live = run_command("script -qec '" + train + "' /dev/null");
  ASSERT_EQ(live.exit_code, 0) << live.output;
  EXPECT_NE(live.output.find("\r[########################] epoch 3/3"), std::string::npos) << live.output;
  EXPECT_NE(live.output.find("ETA 0:00"), std::string::npos) << live.output;
}

TEST_F(DataCli, ResumeContinuesFromTheLatestCheckpointToTheSameModel) {
  ASSERT_EQ(run_command(cli() + " synth fraud --rows 2000 --out " + path("f.csv")).exit_code, 0);
  const std::string common = cli() + " train --early-stopping 0 --norm batch --dropout 0.1 --data " + path("f.csv");
  ASSERT_EQ(run_command(common + " --epochs 5 --out " + path("full.safetensors")).exit_code, 0);
  ASSERT_EQ(run_command(common + " --epochs 3 --checkpoint-dir " + path("ckpt") + " --out " + path("a.safetensors"))
                .exit_code,
            0);
  const auto resumed = run_command(common + " --epochs 5 --checkpoint-dir " + path("ckpt") + " --resume --out " +
                                   path("resumed.safetensors") + " --log " + path("resumed.jsonl"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(resumed.output.find("epoch    3/5"), std::string::npos) << "epochs 1-3 come from the checkpoint";
  EXPECT_NE(resumed.output.find("epoch    4/5"), std::string::npos) << resumed.output;
  // The summary and the log's name the epochs trained ("2 epochs", before).
  EXPECT_NE(resumed.output.find("binary task, epochs 4–5 (resumed after epoch 3), "), std::string::npos)
      << resumed.output;
  // The resumed run's first step is probed (probes were on step 1 and every k steps: a
  // resumed run of few steps had none, and no saturated or dead units to show).
  {
    std::ifstream log(path("resumed.jsonl"));
    std::string line;
    Index first_step = 0, first_probe = 0;
    while (std::getline(log, line)) {
      const auto j = nlohmann::json::parse(line);
      if (j["type"] == "step" && first_step == 0) first_step = j["step"];
      if (j["type"] == "probe" && first_probe == 0) first_probe = j["step"];
    }
    EXPECT_GT(first_step, 1);
    EXPECT_EQ(first_probe, first_step);
  }
  const auto logged = run_command(cli() + " summary --log " + path("resumed.jsonl"));
  EXPECT_NE(logged.output.find("epochs 4–5 (resumed after epoch 3)\nlast epoch 5:"), std::string::npos)
      << logged.output;
  ASSERT_EQ(run_command(cli() + " report --log " + path("resumed.jsonl") + " --out " + path("resumed.html")).exit_code,
            0);
  EXPECT_NE(testing::read_text(path("resumed.html")).find("<th>epochs</th><td>4–5 of 5 (resumed after epoch 3)</td>"),
            std::string::npos)
      << "it read '2 of 5', as a run that stopped early";
  EXPECT_EQ(bytes(path("resumed.safetensors")), bytes(path("full.safetensors")))
      << "resuming gives the same model file as training uninterrupted";
  // --resume with nothing to resume starts at the first epoch, and says so.
  const auto fresh = run_command(common + " --epochs 1 --checkpoint-dir " + path("empty-ckpt") + " --resume --out " +
                                 path("fresh.safetensors"));
  EXPECT_EQ(fresh.exit_code, 0) << fresh.output;
  EXPECT_NE(fresh.output.find("--resume: no checkpoint in " + path("empty-ckpt") + " yet"), std::string::npos)
      << fresh.output;
  const auto beyond = run_command(common + " --epochs 1 --checkpoint-dir " + path("ckpt") + " --resume --out " +
                                  path("beyond.safetensors"));
  EXPECT_EQ(beyond.exit_code, 0) << beyond.output;
  EXPECT_NE(beyond.output.find("has 5 epochs, as many as --epochs 1 or more: no epoch is trained"), std::string::npos)
      << beyond.output;
  // --quiet prints nothing but errors: not the warning either.
  const auto quiet = run_command(common + " --quiet --epochs 1 --checkpoint-dir " + path("ckpt") + " --resume --out " +
                                 path("quiet.safetensors"));
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.output, "");
  // Other options, or other data, are refused by name (--lr was ignored, --activation
  // changed mid-run, another file trained on); the thread count and the outputs may change.
  const auto other = run_command(common + " --epochs 5 --checkpoint-dir " + path("ckpt") +
                                 " --resume --lr 0.05 --activation tanh --out " + path("other.safetensors"));
  EXPECT_EQ(other.exit_code, 2) << other.output;
  EXPECT_NE(other.output.find("the run it continues had --activation relu (not tanh), --lr 0.001 (not 0.05); a "
                              "resumed run takes that run's options and data"),
            std::string::npos)
      << other.output;
  EXPECT_FALSE(fs::exists(path("other.safetensors")));
  // Options that change the rows as prepared are named, not only the data's CRC.
  const auto unscaled = run_command(common + " --epochs 5 --checkpoint-dir " + path("ckpt") +
                                    " --resume --no-standardize --impute mean --out " + path("other.safetensors"));
  EXPECT_EQ(unscaled.exit_code, 2) << unscaled.output;
  EXPECT_NE(unscaled.output.find("--no-standardize off (not on), --impute off (not mean)"), std::string::npos)
      << unscaled.output;
  ASSERT_EQ(run_command(cli() + " synth fraud --rows 2000 --seed 9 --out " + path("g.csv")).exit_code, 0);
  const auto other_data =
      run_command(cli() + " train --early-stopping 0 --norm batch --dropout 0.1 --data " + path("g.csv") +
                  " --epochs 5 --checkpoint-dir " + path("ckpt") + " --resume --out " + path("other.safetensors"));
  EXPECT_EQ(other_data.exit_code, 2) << other_data.output;
  EXPECT_NE(other_data.output.find("the run it continues had training data 1600 rows × "), std::string::npos)
      << other_data.output;
  fs::copy_file(path("f.csv"), path("moved.csv"));
  const auto moved = run_command(cli() + " train --early-stopping 0 --norm batch --dropout 0.1 --data " +
                                 path("moved.csv") + " --epochs 5 --threads 1 --checkpoint-dir " + path("ckpt") +
                                 " --resume --out " + path("moved.safetensors"));
  EXPECT_EQ(moved.exit_code, 0) << "the same rows from another path, on another thread count\n" << moved.output;
  const auto without_dir = run_command(common + " --resume --out " + path("x.safetensors"));
  EXPECT_EQ(without_dir.exit_code, 2);
  EXPECT_NE(without_dir.output.find("--resume needs --checkpoint-dir"), std::string::npos) << without_dir.output;
}

// With --auto-repair, an epoch whose one batch is rolled back and left out takes no
// step: its checkpoint (2 epochs, 0 steps) is one a run writes, and resumes.
TEST_F(DataCli, ResumeAfterEpochsWhoseEveryBatchWasRolledBack) {
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 12; ++i) csv += fmt::format("{},{},{}\n", (i * 7 % 12) / 12.0, (i * 5 % 12) / 12.0, i % 2);
  const std::string common = cli() + " train --data " + write("d.csv", csv) +
                             " --layers 4 --optimizer sgd --lr 1e30 --batch-size 64 --val-split 0 --early-stopping 0 "
                             "--auto-repair --checkpoint-dir " +
                             path("ck") + " --out " + path("m.safetensors");
  const auto first = run_command(common + " --epochs 2");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto state =
      nlohmann::json::parse(read_safetensors(path("ck/checkpoint-epoch-000002.safetensors")).metadata.at("state"));
  ASSERT_EQ(state["epoch"], 2);
  EXPECT_EQ(state["steps"], 0) << "every step was rolled back";
  const auto resumed = run_command(common + " --epochs 3 --resume");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
}

// A run that early stopping ended is not trained on when resumed (each resume trained
// one more epoch): it ends as it did, with its best epoch's weights.
TEST_F(DataCli, ResumingARunThatStoppedEarlyTrainsNothing) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 200 --seed 1 --out " + path("moons.csv")).exit_code, 0);
  const std::string common = cli() + " train --data " + path("moons.csv") +
                             " --layers 16 --epochs 60 --lr 0.05 --early-stopping 2 --checkpoint-dir " + path("ck");
  const auto first = run_command(common + " --out " + path("first.safetensors"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto at = first.output.find("binary task, ");
  ASSERT_NE(at, std::string::npos) << first.output;
  const int epochs = std::stoi(first.output.substr(at + 13));
  ASSERT_LT(epochs, 60) << "early stopping ends the run\n" << first.output;
  const auto resumed = run_command(common + " --resume --out " + path("resumed.safetensors"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find(fmt::format("was stopped early after epoch {} (no better validation loss in 2 epochs): "
                                            "no epoch is trained, and the model written is its best epoch's",
                                            epochs)),
            std::string::npos)
      << resumed.output;
  EXPECT_EQ(resumed.output.find("epoch   "), std::string::npos) << resumed.output;
  EXPECT_EQ(bytes(path("resumed.safetensors")), bytes(path("first.safetensors")));
  // --resume without --checkpoint-dir is refused before any work (after preflight's
  // warnings, before: here, that one class is rare).
  ASSERT_EQ(run_command(cli() + " synth fraud --rows 1000 --fraud-rate 0.02 --out " + path("rare.csv")).exit_code, 0);
  const auto without_dir = run_command(cli() + " train --data " + path("rare.csv") + " --resume");
  EXPECT_EQ(without_dir.exit_code, 2);
  EXPECT_EQ(without_dir.output, "error: --resume needs --checkpoint-dir\n");
}

// --auto-repair stops a run that memorises (a fifth of 150 labels changed, four noise
// features) before its full patience, and a resume of it trains nothing either.
TEST_F(DataCli, ResumingARunStoppedForMemorisingTrainsNothing) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 150 --features 6 --seed 4 --out " + path("moons.csv")).exit_code,
            0);
  {
    std::ifstream in(path("moons.csv"));
    std::ofstream out(path("noisy.csv"));
    std::string line;
    std::getline(in, line);
    out << line << "\n";
    for (int row = 0; std::getline(in, line); ++row) {
      if (row % 5 == 0) line.back() = line.back() == '1' ? '0' : '1';
      out << line << "\n";
    }
  }
  const std::string common = cli() + " train --data " + path("noisy.csv") +
                             " --layers 256,256 --epochs 200 --early-stopping 0 --auto-repair --checkpoint-dir " +
                             path("ck");
  const auto first = run_command(common + " --out " + path("first.safetensors"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto at = first.output.find("binary task, ");
  ASSERT_NE(at, std::string::npos) << first.output;
  const int epochs = std::stoi(first.output.substr(at + 13));
  ASSERT_LT(epochs, 200 / 4) << "stopped before a quarter of the run\n" << first.output;
  const auto resumed = run_command(common + " --resume --out " + path("resumed.safetensors"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find(fmt::format("was stopped early after epoch {} (no better validation loss in ", epochs)),
            std::string::npos)
      << resumed.output;
  EXPECT_NE(resumed.output.find("epochs, the training loss a fifth below its best epoch's): no epoch is trained"),
            std::string::npos)
      << resumed.output;
  EXPECT_EQ(resumed.output.find("epoch   "), std::string::npos) << resumed.output;
  EXPECT_EQ(bytes(path("resumed.safetensors")), bytes(path("first.safetensors")));
}

// A validation loss that is never finite (validation rows far outside float's range)
// is early stopping's and the plateau schedule's best: its checkpoint stored it as
// JSON null, and --resume refused the file the run had written.
TEST_F(DataCli, ResumeAfterAValidationLossThatWasNeverFinite) {
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 40; ++i) csv += fmt::format("{},{},{}\n", (i * 7 % 40) / 40.0, (i * 3 % 40) / 40.0, i % 2);
  const std::string val = write("v.csv", "a,b,y\n3e38,3e38,0\n-3e38,3e38,1\n");
  for (const std::string options : {"", " --early-stopping 0 --schedule plateau"}) {
    const std::string common = cli() + " train --quiet --no-standardize --layers 4 --data " + write("d.csv", csv) +
                               " --val-data " + val + options + " --checkpoint-dir " +
                               path(options.empty() ? "ck-early" : "ck-plateau") + " --out " + path("m.safetensors");
    ASSERT_EQ(run_command(common + " --epochs 2").exit_code, 0) << options;
    const auto resumed = run_command(common + " --epochs 3 --resume");
    EXPECT_EQ(resumed.exit_code, 0) << options << resumed.output;
  }
}

// A file to evaluate or predict on is read with the model's column kinds, not its own
// values' look: a text column whose values in this file are mostly numbers ("007",
// "1.50") was read as numbers (7, 1.5), so its rows became unseen categories and a row's
// prediction hung on the rows beside it; a column the model does not use, or predict's
// target, could make the file unreadable; a numeric column of infinities read as text.
TEST_F(DataCli, FilesAreReadWithTheModelsColumnKinds) {
  std::string train = "x,code,y\n";
  const char* codes[] = {"A", "B", "C", "007", "1.50"};
  for (int i = 0; i < 400; ++i) {
    const double x = ((i * 37) % 200) / 100.0 - 1.0 + 0.005;
    const bool odd = i % 5 >= 3;
    train += fmt::format("{:.3f},{},{}\n", x, codes[i % 5], (odd != (x > 0)) ? 1 : 0);
  }
  write("cat.csv", train);
  ASSERT_EQ(run_command(cli() + " train --quiet --data " + path("cat.csv") +
                        " --layers 16 --epochs 60 --lr 0.01 --val-split 0 --out " + path("cat.safetensors"))
                .exit_code,
            0);
  const std::string rows = "0.5,007,0\n0.5,1.50,0\n-0.5,007,1\n-0.5,1.50,1\n";
  write("alone.csv", "x,code,y\n" + rows);
  write("beside.csv", "x,code,y\n" + rows + "0.5,A,1\n0.5,B,1\n0.5,C,1\n0.5,A,1\n0.5,B,1\n");
  const auto predict = [&](const std::string& file) {
    return run_command(cli() + " predict --model " + path("cat.safetensors") + " --data " + path(file));
  };
  const auto alone = predict("alone.csv"), beside = predict("beside.csv");
  ASSERT_EQ(alone.exit_code, 0) << alone.output;
  EXPECT_EQ(alone.output, "prediction\n0\n0\n1\n1\n") << "no category is unseen";
  EXPECT_EQ(beside.output.substr(0, alone.output.size()), alone.output) << beside.output;
  const auto eval = run_command(cli() + " eval --model " + path("cat.safetensors") + " --data " + path("alone.csv"));
  EXPECT_NE(eval.output.find("accuracy             1.0000"), std::string::npos) << eval.output;
  // A column the model does not use, and predict's target, are not read as numbers.
  write("extra.csv", "note,x,code,y\n12,0.5,007,unknown\n15,0.5,A,0\nsee ticket,-0.5,1.50,1\n");
  const auto extra = predict("extra.csv");
  EXPECT_EQ(extra.exit_code, 0) << extra.output;
  EXPECT_EQ(extra.output, "prediction\n0\n1\n1\n");
  // A numeric column of infinities is missing values, not text.
  write("inf.csv", "x,code,y\ninf,A,0\n");
  const auto inf = predict("inf.csv");
  EXPECT_EQ(inf.exit_code, 2);
  EXPECT_NE(inf.output.find("missing or infinite values; column 'x': 1 (line 2)"), std::string::npos) << inf.output;
  // Validation data take the training file's kinds.
  write("val.csv", "x,code,y\n" + rows);
  const auto validated = run_command(cli() + " train --quiet --data " + path("cat.csv") + " --val-data " +
                                     path("val.csv") + " --layers 16 --epochs 2 --out " + path("v.safetensors"));
  EXPECT_EQ(validated.exit_code, 0) << validated.output;
}

TEST_F(DataCli, ImputationFillsMissingValuesWhenAsked) {
  write("gaps.csv", "a,b,y\n1,,0\n2,3,1\nNA,4,0\n5,6,1\n1,2,0\n6,5,1\n");
  const auto r = run_command(cli() + " train --quiet --impute median --val-split 0 --epochs 3 --data " +
                             path("gaps.csv") + " --out " + path("m.safetensors"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(path("m.safetensors")));
  // The model keeps the training rows' medians (a: 2, b: 4) and predict fills with them.
  write("predict-gaps.csv", "a,b\n,3\n2,NA\ninf,7\n");
  write("predict-filled.csv", "a,b\n2,3\n2,4\n2,7\n");
  const auto predict = [&](const std::string& data) {
    return run_command(cli() + " predict --proba --model " + path("m.safetensors") + " --data " + path(data));
  };
  const auto gaps = predict("predict-gaps.csv"), filled = predict("predict-filled.csv");
  EXPECT_EQ(gaps.exit_code, 0) << gaps.output;
  EXPECT_EQ(gaps.output, filled.output);
  // A column with no value in the file (one row, or all empty) reads as text, not as a
  // number; it is filled as the numeric column it was in training.
  write("one-row.csv", "a,b\n,3\n");
  write("one-row-filled.csv", "a,b\n2,3\n");
  const auto one = predict("one-row.csv"), one_filled = predict("one-row-filled.csv");
  EXPECT_EQ(one.exit_code, 0) << one.output;
  EXPECT_EQ(one.output, one_filled.output);
}

// CSV from a pipe: standard input, process substitution. Telling IDX from CSV by the
// first bytes took them from the pipe, so its reader found it empty.
TEST_F(DataCli, CsvIsReadFromAPipe) {
  write("d.csv", "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n");
  const std::string model = path("m.safetensors");
  const auto trained = run_command("cat " + path("d.csv") + " | " + cli() +
                                   " train --quiet --epochs 2 --data /dev/stdin --out " + model);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const auto from_pipe =
      run_command("head -3 " + path("d.csv") + " | " + cli() + " predict --model " + model + " --data /dev/stdin");
  write("head.csv", "a,y\n1,0\n2,1\n");
  const auto from_file = run_command(cli() + " predict --model " + model + " --data " + path("head.csv"));
  EXPECT_EQ(from_pipe.exit_code, 0) << from_pipe.output;
  EXPECT_EQ(from_pipe.output, from_file.output);
}

TEST_F(DataCli, MissingOrTooLargeValuesForAModelAreExitTwoWithTheirLines) {
  // (b's spread, 0.17, takes 1.7e308 beyond even a double's range once standardised.)
  write("d.csv", "a,b,y\n1,0.2,0\n2,0.3,1\n4,0.1,0\n5,0.6,1\n1,0.2,0\n6,0.5,1\n");
  const auto trained = run_command(cli() + " train --quiet --val-split 0 --epochs 2 --data " + path("d.csv") +
                                   " --out " + path("m.safetensors"));
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const auto expect_refused = [&](const std::string& command, const std::string& csv, const std::string& fragment) {
    write("new.csv", csv);
    const auto r = run_command(cli() + " " + command + " --model " + path("m.safetensors") + " --data " +
                               path("new.csv") + (command == "predict" ? " --out " + path("p.csv") : ""));
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.output;
    EXPECT_NE(r.output.find(fragment), std::string::npos) << command << ": " << r.output;
    EXPECT_FALSE(fs::exists(path("p.csv")));
  };
  // (eval of a NaN score used to loop for ever ranking the rows.)
  for (const std::string command : {"predict", "eval"}) {
    expect_refused(command, "a,b,y\n1,2,0\nnan,3,1\n",
                   "missing or infinite values; column 'a': 1 (line 3). The model has no values to fill them with");
    expect_refused(command, "a,b,y\n1,2,0\n3,-inf,1\n", "column 'b': 1 (line 3)");
    expect_refused(command, "a,b,y\n1,2,0\n3,1.7e308,1\n", "new.csv:3:3: 1.7e+308 in column 'b' is too large");
    expect_refused(command, "a,b,y\n1,x,0\n3,2,1\n", "new.csv:2:3: column 'b' holds text ('x'); in training it was");
    expect_refused(command, "a,b,y\n1,2,0\n3,x,1\n4,y,1\n", "new.csv:3:3: column 'b' holds text ('x')");
    // A number too large for a double is not called text.
    expect_refused(command, "a,b,y\n1,1e400,0\n",
                   "new.csv:2:3: column 'b' holds '1e400', beyond the range of a double (±1.8e308); in training it "
                   "was numeric");
  }
}

// Options that contradict each other, or a delimiter the reader does not know, are usage
// errors (--val-split was ignored beside --val-data; --delimiter x read a table of one column).
TEST_F(DataCli, ConflictingOptionsAndUnknownDelimitersAreRefused) {
  const std::string data = write("d.csv", "a,y\n1,0\n2,1\n3,0\n4,1\n");
  const std::string train = cli() + " train --quiet --epochs 1 --data " + data + " --out " + path("m.safetensors");
  const auto both = run_command(train + " --val-data " + data + " --val-split 0.1");
  EXPECT_EQ(both.exit_code, 2) << both.output;
  EXPECT_NE(both.output.find("excludes --val-data"), std::string::npos) << both.output;
  const auto tests = run_command(train + " --test-data " + data + " --test-split 0.1");
  EXPECT_EQ(tests.exit_code, 2) << tests.output;
  const auto delimiter = run_command(train + " --delimiter x");
  EXPECT_EQ(delimiter.exit_code, 2) << delimiter.output;
  EXPECT_NE(delimiter.output.find("--delimiter: expected , ; | or tab, got 'x'"), std::string::npos)
      << delimiter.output;
  EXPECT_FALSE(fs::exists(path("m.safetensors")));
}

// An output that names an input, or that cannot be written, is refused before any work:
// each input is left as it was, and nothing is written.
TEST_F(DataCli, AnOutputThatIsAnInputOrCannotBeWrittenIsRefusedFirst) {
  const std::string data = write("d.csv", "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n");
  const std::string train = cli() + " train --quiet --epochs 1 --data " + data;
  ASSERT_EQ(run_command(train + " --out " + path("m.safetensors") + " --log " + path("run.jsonl")).exit_code, 0);
  const std::string model_bytes = bytes(path("m.safetensors"));
  const std::string data_bytes = bytes(data);
  const std::string log_bytes = bytes(path("run.jsonl"));
  const auto expect_refused = [&](const std::string& command, const std::string& fragment) {
    const auto r = run_command(command);
    EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.output;
    EXPECT_NE(r.output.find(fragment), std::string::npos) << command << "\n" << r.output;
  };
  expect_refused(train + " --out " + data, "--out " + data + " is also --data");
  expect_refused(train + " --out " + path("./d.csv"), "is also --data");
  expect_refused(train + " --out " + path("x.safetensors") + " --log " + data, "--log " + data + " is also --data");
  expect_refused(train + " --out " + path("x.safetensors") + " --log " + path("x.safetensors"),
                 "--out and --log name the same file");
  expect_refused(train + " --out " + path("x.safetensors") + " --report " + data,
                 "--report " + data + " is also --data");
  expect_refused(train + " --out " + path("x.safetensors") + " --report " + path("no/dir/r.html"),
                 "no/dir does not exist");
  expect_refused(train + " --out " + dir_.string(), "that is a directory");
  // A rename would put a regular file where a device, pipe or socket was (/dev/null, as root).
  ASSERT_EQ(::mkfifo(path("pipe").c_str(), 0644), 0);
  for (const std::string option : {" --out ", " --log ", " --report "}) {
    const std::string out = option == std::string(" --out ") ? "" : " --out " + path("x.safetensors");
    expect_refused(train + out + option + path("pipe"),
                   option.substr(1) + path("pipe") + ": that is not a regular file");
  }
  expect_refused(cli() + " synth moons --rows 10 --out " + path("pipe"), "that is not a regular file");
  EXPECT_TRUE(fs::is_fifo(path("pipe")));
  // /dev/stdout into a pipe (as here): its link reads "pipe:[N]", taken for a file not
  // there yet, and the run failed after its work ("cannot create a temporary file").
  expect_refused(train + " --out /dev/stdout", "--out /dev/stdout: that is not a regular file");
  // The --config file is an input; a checkpoint directory is an output; both were found
  // only after the work (or never: the config file was overwritten).
  const std::string config = write("run.toml", "epochs = 1\n");
  const std::string configured = cli() + " train --quiet --config " + config + " --data " + data;
  expect_refused(configured + " --out " + config, "--out " + config + " is also --config");
  expect_refused(cli() + " doctor --config " + config + " --data " + data + " --repair --best " + config,
                 "is also --config");
  expect_refused(train + " --out " + path("x.safetensors") + " --checkpoint-dir " + path("x.safetensors"),
                 "--out and --checkpoint-dir name the same file");
  expect_refused(train + " --out " + path("x.safetensors") + " --checkpoint-dir " + data,
                 "--checkpoint-dir " + data + ": that is a file; expected a directory");
  expect_refused(train + " --out ''", "--out: expected a path, got an empty one");
  expect_refused(train + " --out " + path(std::string(250, 'm')), "the file name is 250 bytes long; at most 243");
  // A link is checked as the file it names (these trained first, then failed).
  fs::create_symlink("no/such/dir/m.safetensors", path("dangling"));
  expect_refused(train + " --out " + path("dangling"), "no/such/dir does not exist");
  fs::create_symlink(std::string(250, 'n'), path("long"));
  expect_refused(train + " --out " + path("long"), "the file name is 250 bytes long");
  expect_refused(train + " --out " + data + "/m.safetensors", data + " is not a directory");
  expect_refused(
      cli() + " predict --model " + path("m.safetensors") + " --data " + data + " --out " + path("m.safetensors"),
      "is also --model");
  expect_refused(cli() + " predict --model " + path("m.safetensors") + " --data " + data + " --out " + data,
                 "is also --data");
  expect_refused(cli() + " report --log " + path("run.jsonl") + " --out " + path("run.jsonl"), "is also --log");
  expect_refused(cli() + " doctor --data " + data + " --repair --best " + data, "--best " + data + " is also --data");
  // (doctor writes no model, but its best configuration names --out: train --config refused it.)
  expect_refused(cli() + " doctor --data " + data + " --repair --out " + data, "--out " + data + " is also --data");
  // An input that is a directory is named as one (it read as an empty file).
  expect_refused(cli() + " train --data " + dir_.string() + " --out " + path("x.safetensors"),
                 "that is a directory; expected a file to read");
  expect_refused(cli() + " eval --model " + dir_.string() + " --data " + data,
                 "--model " + dir_.string() + ": that is a directory");
  expect_refused(cli() + " report --log " + dir_.string() + " --out " + path("r.html"),
                 "--log " + dir_.string() + ": that is a directory");
  EXPECT_EQ(bytes(path("m.safetensors")), model_bytes);
  EXPECT_EQ(bytes(data), data_bytes);
  EXPECT_EQ(bytes(path("run.jsonl")), log_bytes);
  EXPECT_EQ(bytes(config), "epochs = 1\n");
  EXPECT_FALSE(fs::exists(path("x.safetensors")));
}

TEST_F(DataCli, ABrokenModelFileIsExitTwoNeverACrash) {
  write("d.csv", "a,y\n1,0\n2,1\n");
  for (const std::string& content : {std::string(), std::string("garbage"), std::string("\x10\0\0\0\0\0\0\0{}", 10),
                                     std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8)}) {
    write("broken.safetensors", content);
    // Appended piece by piece: GCC 12 reports a false -Warray-bounds on the chained
    // operator+ here at -O3.
    std::string command = cli();
    for (const std::string& part :
         {std::string(" eval --model "), path("broken.safetensors"), std::string(" --data "), path("d.csv")}) {
      command += part;
    }
    const auto r = run_command(command);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("broken.safetensors"), std::string::npos) << r.output;
  }
}

// `rows` 6×6 images in three classes: class k has a bright band in image rows 2k and
// 2k+1, on noise. Writes images and labels (gzip) as IDX and returns their paths.
std::pair<std::string, std::string> write_band_images(const std::string& stem, std::uint32_t rows, std::uint32_t seed) {
  std::vector<std::uint8_t> pixels, labels;
  std::uint32_t state = seed;
  const auto noise = [&] {
    state = state * 1664525u + 1013904223u;
    return static_cast<std::uint8_t>((state >> 24) % 90);
  };
  for (std::uint32_t i = 0; i < rows; ++i) {
    const std::uint32_t label = (i * 7 + seed) % 3;
    labels.push_back(static_cast<std::uint8_t>(label));
    for (std::uint32_t r = 0; r < 6; ++r) {
      for (std::uint32_t c = 0; c < 6; ++c) pixels.push_back(r / 2 == label ? 255 - noise() : noise());
    }
  }
  testing::write_bytes(stem + "-images.gz", testing::idx_bytes({rows, 6, 6}, pixels), true);
  testing::write_bytes(stem + "-labels.gz", testing::idx_bytes({rows}, labels), true);
  return {stem + "-images.gz", stem + "-labels.gz"};
}

TEST_F(DataCli, IdxImagesTrainEvaluateAndPredict) {
  const auto [train_images, train_labels] = write_band_images(path("train"), 600, 1);
  const auto [test_images, test_labels] = write_band_images(path("test"), 90, 2);
  const std::string model = path("images.safetensors");
  const auto train =
      run_command(cli() + " train --json --epochs 8 --data " + train_images + " --labels " + train_labels +
                  " --test-data " + test_images + " --test-labels " + test_labels + " --out " + model);
  ASSERT_EQ(train.exit_code, 0) << train.output;
  const auto result = nlohmann::json::parse(train.output);
  EXPECT_EQ(result["task"], "multiclass");
  EXPECT_GE(result["metrics"]["test"]["accuracy"].get<double>(), 0.95) << train.output;
  // Without their labels, images are not a table whose last pixel is the target.
  const auto unlabelled =
      run_command(cli() + " train --quiet --data " + train_images + " --out " + path("x.safetensors"));
  EXPECT_EQ(unlabelled.exit_code, 2) << unlabelled.output;
  EXPECT_NE(unlabelled.output.find("IDX images need their labels to train on: --labels FILE"), std::string::npos)
      << unlabelled.output;
  // Every pixel is an input: --ignore is for a CSV file's columns.
  const auto ignored = run_command(cli() + " train --quiet --data " + train_images + " --labels " + train_labels +
                                   " --ignore pixel_0 --out " + path("x.safetensors"));
  EXPECT_EQ(ignored.exit_code, 2) << ignored.output;
  EXPECT_NE(ignored.output.find("--ignore is for a CSV file's columns; every pixel of an image is an input"),
            std::string::npos)
      << ignored.output;
  EXPECT_FALSE(fs::exists(path("x.safetensors")));

  const auto eval =
      run_command(cli() + " eval --json --model " + model + " --data " + test_images + " --labels " + test_labels);
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_EQ(nlohmann::json::parse(eval.output)["metrics"]["accuracy"], result["metrics"]["test"]["accuracy"])
      << "eval on the test files agrees with train's test metrics";

  // Images alone: one prediction per image, in order, as the labels were written.
  const auto predict = run_command(cli() + " predict --model " + model + " --data " + test_images);
  ASSERT_EQ(predict.exit_code, 0) << predict.output;
  std::istringstream lines(predict.output);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "prediction");
  int correct = 0, count = 0;
  for (; std::getline(lines, line); ++count) correct += line == std::to_string((count * 7 + 2) % 3);
  EXPECT_EQ(count, 90);
  EXPECT_GE(correct, 85);

  // Bad inputs: exit 2, the files named, nothing written.
  const auto [other_images, other_labels] = write_band_images(path("other"), 50, 3);
  const auto mismatch = run_command(cli() + " train --quiet --data " + train_images + " --labels " + other_labels +
                                    " --out " + path("bad.safetensors"));
  EXPECT_EQ(mismatch.exit_code, 2) << mismatch.output;
  EXPECT_NE(mismatch.output.find("600 images but " + other_labels + " holds 50 labels"), std::string::npos)
      << mismatch.output;
  const auto stray = run_command(cli() + " train --quiet --data " + train_images + " --labels " + train_labels +
                                 " --val-labels " + test_labels + " --out " + path("bad.safetensors"));
  EXPECT_EQ(stray.exit_code, 2) << stray.output;
  EXPECT_NE(stray.output.find("--val-labels needs --val-data"), std::string::npos) << stray.output;
  const auto unlabeled = run_command(cli() + " eval --model " + model + " --data " + test_images);
  EXPECT_EQ(unlabeled.exit_code, 2) << unlabeled.output;
  // (It asked for a target column named 'label'.)
  EXPECT_NE(unlabeled.output.find("IDX images need their labels to be evaluated: --labels FILE"), std::string::npos)
      << unlabeled.output;
  // Images of another size: their first 36 pixels have the model's names (eval scored them).
  std::vector<std::uint8_t> larger(50 * 7 * 7, 0);
  testing::write_bytes(path("larger-images"), testing::idx_bytes({50, 7, 7}, larger), false);
  for (const std::string& command :
       {" eval --model " + model + " --data " + path("larger-images") + " --labels " + other_labels,
        " predict --model " + model + " --data " + path("larger-images"),
        " train --quiet --epochs 1 --data " + train_images + " --labels " + train_labels + " --test-data " +
            path("larger-images") + " --test-labels " + other_labels + " --out " + path("bad.safetensors")}) {
    const auto r = run_command(cli() + command);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.output;
    EXPECT_NE(r.output.find("images of 49 pixels; the model takes 36 inputs"), std::string::npos) << r.output;
  }
  EXPECT_FALSE(fs::exists(path("bad.safetensors")));
}

TEST_F(DataCli, ConfigFileHoldsOptionsAndFlagsOverrideIt) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 400 --seed 4 --out " + path("moons.csv")).exit_code, 0);
  write("run.toml", "data = \"" + path("moons.csv") +
                        "\"\n"
                        "layers = [16, 8]\n"
                        "activation = \"tanh\"\n"
                        "epochs = 7\n"
                        "early_stopping = 0\n"
                        "out = \"" +
                        path("from-config.safetensors") + "\"\n");
  const auto r = run_command(cli() + " train --quiet --config " + path("run.toml") + " --epochs 3");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto summary = run_command(cli() + " summary --model " + path("from-config.safetensors"));
  EXPECT_NE(summary.output.find("tanh"), std::string::npos) << summary.output;
  EXPECT_NE(summary.output.find("[B, 8]"), std::string::npos) << summary.output;
  const auto json = run_command(cli() + " train --json --config " + path("run.toml") + " --epochs 3 --out " +
                                path("flag.safetensors"));
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_EQ(nlohmann::json::parse(json.output)["files"]["model"], path("flag.safetensors")) << "--out overrides";
  const auto history =
      run_command(cli() + " train --config " + path("run.toml") + " --epochs 3 --out " + path("plain.safetensors"));
  EXPECT_NE(history.output.find("3 epochs"), std::string::npos) << "--epochs 3 overrides epochs = 7\n"
                                                                << history.output;

  // Bad config files: exit 2, the file, line and column, nothing written.
  const std::string out = " --out " + path("bad.safetensors");
  write("unknown.toml", "epochs = 3\nlearning_rate = 0.1\n");
  const auto unknown =
      run_command(cli() + " train --data " + path("moons.csv") + " --config " + path("unknown.toml") + out);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("unknown.toml:2:17: 'learning_rate' is not an option of glassnet train (did you "
                                "mean lr or schedule?)"),
            std::string::npos)
      << unknown.output;
  write("nothing_like.toml", "zzz = 1\n");
  const auto nothing_like =
      run_command(cli() + " train --data " + path("moons.csv") + " --config " + path("nothing_like.toml") + out);
  EXPECT_NE(nothing_like.output.find("'zzz' is not an option of glassnet train (options: data, labels, target,"),
            std::string::npos)
      << nothing_like.output;
  write("invalid.toml", "epochs = 3\nactivation = \"swish\"\n");
  const auto invalid =
      run_command(cli() + " train --data " + path("moons.csv") + " --config " + path("invalid.toml") + out);
  EXPECT_EQ(invalid.exit_code, 2);
  EXPECT_NE(invalid.output.find("invalid.toml:2:14: "), std::string::npos) << invalid.output;
  EXPECT_NE(invalid.output.find("swish"), std::string::npos) << invalid.output;
  write("syntax.toml", "epochs = 3\nlr = = 1\n");
  const auto syntax =
      run_command(cli() + " train --data " + path("moons.csv") + " --config " + path("syntax.toml") + out);
  EXPECT_EQ(syntax.exit_code, 2);
  EXPECT_NE(syntax.output.find("syntax.toml:2:"), std::string::npos) << syntax.output;
  // One option twice, an array for an option of one value, options that exclude each
  // other (in the file, or one in the file and one on the command line).
  const auto refused = [&](const std::string& name, const std::string& text, const std::string& options) {
    write(name, text);
    return run_command(cli() + " train --data " + path("moons.csv") + " --config " + path(name) + options + out);
  };
  const auto twice = refused("twice.toml", "batch_size = 8\nbatch-size = 16\n", "");
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.output.find("twice.toml:2:14: 'batch-size' names the option of line 1 again ('batch_size' and "
                              "'batch-size' are the same key)"),
            std::string::npos)
      << twice.output;
  // Keys of the command line only are named so (their own names were suggested for them).
  for (const std::string key : {"config", "help"}) {
    const auto own = refused(key + ".toml", key + " = true\n", "");
    EXPECT_EQ(own.exit_code, 2);
    EXPECT_NE(own.output.find(key + ".toml:1:" + std::to_string(key.size() + 4) + ": '" + key +
                              "' is an option of the command line only, not of a config file"),
              std::string::npos)
        << own.output;
  }
  // A flag takes a boolean, an option of a value no boolean (`quiet = 2` was true,
  // `quiet = "banana"` CLI11's "Could not convert", `log = true` a log named "true").
  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"quiet = 2\n", "kind.toml:1:9: 'quiet' is a flag: expected true or false, got '2'"},
           {"quiet = \"banana\"\n", "kind.toml:1:9: 'quiet' is a flag: expected true or false, got 'banana'"},
           {"log = true\n", "kind.toml:1:7: 'log' takes a value, not the boolean true"},
           // An empty array (CLI11: "At least 1 required but received 0"), one key twice
           // (toml++: "cannot redefine existing integer"), a key quoted as written.
           {"layers = []\n", "kind.toml:1:10: 'layers' holds an empty array; expected one value or more"},
           {"epochs = 1\nepochs = 2\n", "kind.toml:2:10: 'epochs' is given a second time; each key is given once"},
           {"no_standardize = 1\n", "kind.toml:1:18: 'no_standardize' is a flag: expected true or false, got '1'"}}) {
    const auto kind = refused("kind.toml", text, "");
    EXPECT_EQ(kind.exit_code, 2) << text;
    EXPECT_NE(kind.output.find(message), std::string::npos) << text << kind.output;
  }
  const auto array = refused("array.toml", "lr = [1]\n", "");
  EXPECT_EQ(array.exit_code, 2);
  EXPECT_NE(array.output.find("array.toml:1:6: 'lr' takes one value, not an array"), std::string::npos) << array.output;
  const auto both = refused("both.toml", "val-data = \"" + path("moons.csv") + "\"\nval-split = 0.3\n", "");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.output.find("both.toml:1:12: 'val-data' cannot be given with --val-split"), std::string::npos)
      << both.output;
  const auto mixed = refused("mixed.toml", "test-split = 0.2\n", " --test-data " + path("moons.csv"));
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_NE(mixed.output.find("mixed.toml:1:14: 'test-split' cannot be given with --test-data"), std::string::npos)
      << mixed.output;
  // A file's setting is checked as the command line's: an empty path is refused, and
  // doctor's budget does nothing without --repair.
  const auto empty_log = refused("empty.toml", "log = \"\"\n", "");
  EXPECT_EQ(empty_log.exit_code, 2);
  EXPECT_NE(empty_log.output.find("empty.toml:1:7: --log: expected a path, got an empty one"), std::string::npos)
      << empty_log.output;
  write("budget.toml", "budget = 5\n");
  const auto budget = run_command(cli() + " doctor --data " + path("moons.csv") + " --config " + path("budget.toml"));
  EXPECT_EQ(budget.exit_code, 2);
  EXPECT_NE(budget.output.find("budget.toml:1:10: --budget needs --repair"), std::string::npos) << budget.output;
  // A check of the run itself names the line that set the option it is about.
  const auto no_monitor = refused("no_monitor.toml", "monitor = \"off\"\nlog = \"" + path("x.jsonl") + "\"\n", "");
  EXPECT_EQ(no_monitor.exit_code, 2);
  EXPECT_NE(no_monitor.output.find("no_monitor.toml:2:7: --log needs the monitor"), std::string::npos)
      << no_monitor.output;
  // An option of the command line that conflicts with the file's setting: the file's line too.
  const auto conflict = refused("monitor_off.toml", "epochs = 1\nmonitor = \"off\"\n", " --log " + path("x.jsonl"));
  EXPECT_EQ(conflict.exit_code, 2);
  EXPECT_NE(conflict.output.find("error: --log needs the monitor: --monitor light or full (" +
                                 path("monitor_off.toml") + ":2:11 sets --monitor)"),
            std::string::npos)
      << conflict.output;
  // The file's `repair = true` is --repair for an option of the command line.
  write("repair.toml", "repair = true\nepochs = 2\n");
  const auto repair = run_command(cli() + " doctor --quiet --data " + path("moons.csv") + " --config " +
                                  path("repair.toml") + " --budget 6 --best " + path("b.toml"));
  EXPECT_EQ(repair.exit_code, 0) << repair.output;
  const auto no_data = run_command(cli() + " train --epochs 1" + out);
  EXPECT_EQ(no_data.exit_code, 2);
  EXPECT_NE(no_data.output.find("--data is required"), std::string::npos) << no_data.output;
  EXPECT_FALSE(fs::exists(path("bad.safetensors")));
}

// An identifier column (a transaction number) is refused before it is one-hot encoded,
// naming --ignore; left out (on the command line or in a --config file), the run trains
// and the model predicts from files with or without that column.
TEST_F(DataCli, AnIdentifierColumnIsRefusedAndIgnoreLeavesItOut) {
  std::string csv = "txn_id,amount,country,label\n";
  for (int i = 0; i < 400; ++i) {
    const double amount = ((i * 37) % 200) / 100.0 - 1.0;
    csv += fmt::format("T{:05},{},{},{}\n", i, amount, i % 3 == 0 ? "FR" : "DE", amount > 0 ? 1 : 0);
  }
  const std::string data = write("txns.csv", csv);
  const std::string model = path("m.safetensors");  // (expect_bad_input's too: removed before it)
  const auto refused = run_command(cli() + " train --quiet --data " + data + " --out " + model);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find(data + ":2:1: column 'txn_id' holds 320 different values in 320 training rows "
                                       "('T00000', 'T00001', …): an identifier, not a category"),
            std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("Leave it out with --ignore txn_id"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(model)) << "nothing may be written on bad input";

  const auto trained =
      run_command(cli() + " train --json --epochs 3 --data " + data + " --ignore txn_id --out " + model);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const auto summary = run_command(cli() + " summary --model " + model);
  EXPECT_EQ(summary.output.find("txn_id"), std::string::npos) << "no input of the identifier\n" << summary.output;
  const std::string without = write("new.csv", "country,amount\nFR,0.5\nDE,-0.5\n");
  for (const std::string& file : {data, without}) {
    const auto predicted = run_command(cli() + " predict --model " + model + " --data " + file);
    EXPECT_EQ(predicted.exit_code, 0) << predicted.output;
  }
  write("run.toml", "data = \"" + data + "\"\nignore = [\"txn_id\"]\nepochs = 2\n");
  const auto from_config =
      run_command(cli() + " train --quiet --config " + path("run.toml") + " --out " + path("c.safetensors"));
  EXPECT_EQ(from_config.exit_code, 0) << from_config.output;
  EXPECT_EQ(run_command(cli() + " eval --model " + path("c.safetensors") + " --data " + data).exit_code, 0);

  // A name that is no column, or the target: exit 2, the columns named, nothing written.
  fs::remove(model);
  expect_bad_input(csv, "no column 'id' to --ignore (columns: txn_id, amount, country, label)", "--ignore id");
  expect_bad_input(csv, "--ignore: 'label' is the target column", "--ignore txn_id,label");
}

// A row number saved with the data (a file sorted by its label) is a warning before the
// first epoch, with --ignore as its fix; --auto-repair runs no trials for it (its
// validation rows are numbered by the same file), and --ignore clears it.
TEST_F(DataCli, ARowNumberIsAWarningWithIgnoreAsItsFix) {
  std::string csv = "row,amount,label\n";
  for (int i = 0; i < 300; ++i) {
    const double amount = ((i * 37) % 200) / 100.0 - 1.0;
    csv += fmt::format("{},{},{}\n", i, amount, i < 150 ? 0 : 1);
  }
  const std::string data = write("sorted.csv", csv);
  const auto warned = run_command(cli() + " train --epochs 3 --data " + data + " --out " + path("a.safetensors"));
  ASSERT_EQ(warned.exit_code, 0) << warned.output;
  EXPECT_NE(warned.output.find("warning: row_number: A feature counts the rows of the file"), std::string::npos)
      << warned.output;
  EXPECT_NE(warned.output.find("'row' is 0, 1, 2, … 299: one more on each row, in file order"), std::string::npos)
      << warned.output;
  EXPECT_NE(warned.output.find("try, in order: `--ignore row`"), std::string::npos) << warned.output;
  expect_no_trials_and_cleared_by_ignore(data, "row_number", "row");
}

// A text column of dates is a warning before the first epoch, with --ignore as its fix;
// --auto-repair runs no trials for it (its validation rows are dated alike), and
// --ignore clears it.
TEST_F(DataCli, ATextColumnOfDatesIsAWarningWithIgnoreAsItsFix) {
  std::string csv = "day,amount,label\n";
  for (int i = 0; i < 300; ++i) {
    const double amount = ((i * 37) % 200) / 100.0 - 1.0;
    csv += fmt::format("2024-01-{:02},{},{}\n", 1 + (i * 11) % 31, amount, amount > 0 ? 1 : 0);
  }
  const std::string data = write("dated.csv", csv);
  const auto warned = run_command(cli() + " train --epochs 3 --data " + data + " --out " + path("a.safetensors"));
  ASSERT_EQ(warned.exit_code, 0) << warned.output;
  EXPECT_NE(warned.output.find("warning: date_column: A feature holds dates as text"), std::string::npos)
      << warned.output;
  EXPECT_NE(warned.output.find("'day' holds 31 different dates or times in the training rows ('2024-01-"),
            std::string::npos)
      << warned.output;
  EXPECT_NE(warned.output.find("try, in order: `--ignore day`"), std::string::npos) << warned.output;
  expect_no_trials_and_cleared_by_ignore(data, "date_column", "day");
}

// --max-categories: a text column of 60 merchants becomes its 9 most frequent and one
// input for the rest, which a merchant never seen in training takes without a warning.
TEST_F(DataCli, MaxCategoriesKeepsTheMostFrequentAndOneInputForTheRest) {
  std::string csv = "merchant,amount,label\n";
  for (int i = 0; i < 400; ++i) {
    const double amount = ((i * 37) % 200) / 100.0 - 1.0;
    csv += fmt::format("m{},{},{}\n", (i * 7) % 60, amount, amount > 0 ? 1 : 0);
  }
  const std::string data = write("merchants.csv", csv);
  const std::string model = path("m.safetensors");
  const auto trained = run_command(cli() + " train --epochs 2 --max-categories 10 --data " + data + " --out " + model);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_NE(trained.output.find("warning: column 'merchant' has more than 10 categories: the 9 most frequent in the "
                                "training rows are inputs, and the rest share one, merchant=(other):"),
            std::string::npos)
      << trained.output;
  const auto summary = run_command(cli() + " summary --model " + model);
  EXPECT_NE(summary.output.find("11 input features from 2 columns"), std::string::npos) << summary.output;
  const auto unseen = run_command(cli() + " eval --model " + model + " --data " +
                                  write("new.csv", "merchant,amount,label\nm999,0.5,1\nm3,-0.5,0\n"));
  EXPECT_EQ(unseen.exit_code, 0) << unseen.output;
  EXPECT_EQ(unseen.output.find("unseen"), std::string::npos) << unseen.output;
  const auto all =
      run_command(cli() + " train --quiet --epochs 1 --data " + data + " --out " + path("all.safetensors"));
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_NE(run_command(cli() + " summary --model " + path("all.safetensors")).output.find("61 input features"),
            std::string::npos)
      << "60 categories are within the default's 1000";
  const auto refused =
      run_command(cli() + " train --data " + data + " --max-categories 1 --out " + path("x.safetensors"));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("--max-categories: expected a whole number from 2 to 1000000, got '1'"),
            std::string::npos)
      << refused.output;
}

TEST_F(DataCli, ThreadsOptionIsUsedAndReported) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 300 --seed 5 --out " + path("moons.csv")).exit_code, 0);
  for (int threads : {1, 2}) {
    const auto r =
        run_command(cli() + " train --json --epochs 2 --layers 256,256 --threads " + std::to_string(threads) +
                    " --data " + path("moons.csv") + " --out " + path("m.safetensors"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(nlohmann::json::parse(r.output)["threads"], threads);
  }
  const auto plain = run_command(cli() + " train --epochs 1 --threads 1 --data " + path("moons.csv") + " --out " +
                                 path("m.safetensors"));
  EXPECT_NE(plain.output.find("1 thread\n"), std::string::npos) << plain.output;
}

TEST_F(DataCli, TrainWritesTheMonitorsMetricsLog) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 500 --seed 6 --out " + path("moons.csv")).exit_code, 0);
  const auto r = run_command(cli() + " train --json --epochs 3 --early-stopping 0 --batch-size 50 --data " +
                             path("moons.csv") + " --log " + path("run.jsonl") + " --out " + path("m.safetensors"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto result = nlohmann::json::parse(r.output);
  EXPECT_EQ(result["files"]["log"], path("run.jsonl"));
  std::ifstream in(path("run.jsonl"));
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_GE(lines.size(), 4u);
  std::map<std::string, int> count;
  for (const auto& line : lines) ++count[line["type"].get<std::string>()];
  EXPECT_EQ(lines.front()["type"], "run");
  EXPECT_EQ(lines.front()["data"]["train_rows"], 400);
  EXPECT_EQ(lines[1]["type"], "layout");
  EXPECT_EQ(lines[1]["monitor"], "light");
  EXPECT_EQ(count["step"], 3 * 8) << "400 training rows in batches of 50, three epochs";
  EXPECT_EQ(count["epoch"], 3);
  for (const auto& line : lines) {
    if (line["type"] != "epoch") continue;
    EXPECT_TRUE(line["train_accuracy"].is_number() && line["val_accuracy"].is_number()) << line.dump();
  }
  EXPECT_GE(count["probe"], 1);
  EXPECT_EQ(lines.back()["type"], "end");
  EXPECT_EQ(lines.back()["metrics"]["val"], result["metrics"]["val"]) << "the log ends with the printed metrics";

  // --log without the monitor, or into a missing directory: exit 2, nothing written.
  const auto off = run_command(cli() + " train --quiet --monitor off --data " + path("moons.csv") + " --log " +
                               path("off.jsonl") + " --out " + path("off.safetensors"));
  EXPECT_EQ(off.exit_code, 2);
  EXPECT_NE(off.output.find("--log needs the monitor"), std::string::npos) << off.output;
  const auto report_off = run_command(cli() + " train --quiet --monitor off --data " + path("moons.csv") +
                                      " --report " + path("off.html") + " --out " + path("off.safetensors"));
  EXPECT_EQ(report_off.exit_code, 2);
  EXPECT_NE(report_off.output.find("--report needs the monitor"), std::string::npos) << report_off.output;
  const auto missing = run_command(cli() + " train --quiet --data " + path("moons.csv") + " --log " +
                                   path("no/such/dir/run.jsonl") + " --out " + path("missing.safetensors"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("no/such/dir does not exist"), std::string::npos) << missing.output;
  EXPECT_FALSE(fs::exists(path("off.jsonl")) || fs::exists(path("off.safetensors")) || fs::exists(path("off.html")) ||
               fs::exists(path("missing.safetensors")));
}

TEST_F(DataCli, TrainReportsTheDoctorsFindings) {
  ASSERT_EQ(run_command(cli() + " synth xor --rows 2000 --features 10 --seed 3 --out " + path("xor.csv")).exit_code, 0);
  const std::string deep = " --layers 64,64,64,64,64,64,64,64,64,64,64,64,64,64,64";
  const auto sick = run_command(cli() + " train --json --epochs 5 --activation sigmoid --optimizer momentum --lr 0.05" +
                                deep + " --data " + path("xor.csv") + " --out " + path("sick.safetensors"));
  ASSERT_EQ(sick.exit_code, 0) << sick.output;
  const auto findings = nlohmann::json::parse(sick.output)["findings"];
  ASSERT_FALSE(findings.empty()) << sick.output;
  // One chain: the sigmoid depth (preflight) → vanishing gradients from layers.0 → chance level.
  const auto& top = findings.at(0);
  EXPECT_EQ(top["symptom"], "deep_saturating") << top.dump();
  EXPECT_EQ(top["severity"], "error");
  ASSERT_GE(top["chain"].size(), 2u) << top.dump();
  EXPECT_EQ(top["chain"].at(0)["symptom"], "vanishing_gradients");
  EXPECT_EQ(top["chain"].at(0)["layers"].at(0), "layers.0");
  EXPECT_EQ(top["chain"].back()["symptom"], "chance_level");
  EXPECT_EQ(top["fixes"].at(0), "--activation relu --init he");
  for (const char* key : {"summary", "steps", "evidence", "causes"}) EXPECT_TRUE(top.contains(key)) << key;
  for (const auto& f : findings) EXPECT_NE(f["symptom"], "chance_level") << "reported once, inside the chain";
  const auto text = run_command(cli() + " train --epochs 5 --activation sigmoid --optimizer momentum --lr 0.05" + deep +
                                " --data " + path("xor.csv") + " --out " + path("sick.safetensors") + " --log " +
                                path("sick.jsonl"));
  EXPECT_NE(text.output.find("[error] deep_saturating"), std::string::npos) << text.output;
  // The vanishing gradients are announced while training runs, before the end's findings.
  const auto seen = text.output.find("error (seen at epoch ");
  ASSERT_NE(seen, std::string::npos) << text.output;
  EXPECT_NE(text.output.find(": vanishing_gradients: ", seen), std::string::npos) << text.output;
  EXPECT_LT(seen, text.output.find("findings:"));
  std::ifstream log(path("sick.jsonl"));
  int finding_lines = 0;
  for (std::string line; std::getline(log, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] != "finding") continue;
    ++finding_lines;
    EXPECT_EQ(j["finding"]["symptom"], "vanishing_gradients");
    EXPECT_GE(j["epoch"], 2);
  }
  EXPECT_EQ(finding_lines, 1) << "each finding is announced once";
  EXPECT_NE(text.output.find("which led to vanishing_gradients (layers.0,"), std::string::npos) << text.output;

  // Preflight speaks before the first step: a linear "deep" network is flagged at once.
  const auto linear = run_command(cli() + " train --epochs 1 --activation identity --data " + path("xor.csv") +
                                  " --out " + path("linear.safetensors"));
  ASSERT_EQ(linear.exit_code, 0) << linear.output;
  const auto warned = linear.output.find("warning: linear_network:");
  ASSERT_NE(warned, std::string::npos) << linear.output;
  EXPECT_LT(warned, linear.output.find("epoch")) << "the warning comes before training";
  // Class labels 0/1 trained as a regression.
  const auto regression = run_command(cli() + " train --epochs 1 --task regression --data " + path("xor.csv") +
                                      " --out " + path("regression.safetensors"));
  ASSERT_EQ(regression.exit_code, 0) << regression.output;
  EXPECT_NE(regression.output.find("warning: label_mismatch:"), std::string::npos) << regression.output;

  const auto healthy = run_command(cli() + " train --json --epochs 20 --data " + path("xor.csv") + " --out " +
                                   path("healthy.safetensors"));
  ASSERT_EQ(healthy.exit_code, 0) << healthy.output;
  const auto healthy_result = nlohmann::json::parse(healthy.output);
  for (const auto& f : healthy_result["findings"]) EXPECT_EQ(f["severity"], "info") << f.dump();
  // The memory estimate, by part: 2,000 rows of 10 features and a 64-64 network.
  const auto& memory = healthy_result["memory_estimate"];
  std::uint64_t parts = 0;
  for (const char* part : {"data", "parameters", "optimizer", "activations", "monitor"}) {
    EXPECT_GT(memory[part].get<std::uint64_t>(), 0u) << part;
    parts += memory[part].get<std::uint64_t>();
  }
  EXPECT_EQ(memory["total"].get<std::uint64_t>(), parts);
  // Adam keeps two copies; values and gradients are two, and a batch of 64 split across
  // the threads (16 rows a thread at least) adds a copy of the gradients per extra thread.
  const int threads = healthy_result["threads"].get<int>();
  const std::uint64_t copies = 2 + (threads >= 2 && 64 / threads >= 16 ? threads - 1 : 0);
  EXPECT_EQ(2 * memory["parameters"].get<std::uint64_t>(), copies * memory["optimizer"].get<std::uint64_t>());
}

TEST_F(DataCli, UnscaledInputsAreTracedThroughSaturationToThePlateau) {
  ASSERT_EQ(run_command(cli() + " synth fraud --rows 4000 --seed 1 --out " + path("fraud.csv")).exit_code, 0);
  const auto r = run_command(cli() + " train --json --data " + path("fraud.csv") +
                             " --target is_fraud --no-standardize --activation sigmoid --layers 32,32,32"
                             " --optimizer sgd --lr 0.01 --epochs 10 --out " +
                             path("m.safetensors"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto findings = nlohmann::json::parse(r.output)["findings"];
  ASSERT_FALSE(findings.empty()) << r.output;
  const auto& top = findings.at(0);
  EXPECT_EQ(top["symptom"], "unscaled_input") << top.dump();
  ASSERT_EQ(top["chain"].size(), 2u) << top.dump();
  EXPECT_EQ(top["chain"][0]["symptom"], "saturation");
  EXPECT_EQ(top["chain"][0]["layers"], nlohmann::json::array({"layers.1"})) << "the first hidden layer";
  EXPECT_EQ(top["chain"][1]["symptom"], "plateau");
  EXPECT_EQ(top["fixes"].at(0), "drop --no-standardize");
}

// The doctor judges runs by the monitor: --monitor off was silently turned on again.
TEST_F(DataCli, RepairWithoutTheMonitorIsRefused) {
  ASSERT_EQ(run_command(cli() + " synth moons --rows 300 --out " + path("moons.csv")).exit_code, 0);
  const auto doctor = run_command(cli() + " doctor --monitor off --data " + path("moons.csv"));
  EXPECT_EQ(doctor.exit_code, 2);
  EXPECT_NE(doctor.output.find("error: the doctor needs the monitor: --monitor light or full"), std::string::npos)
      << doctor.output;
  const auto repair = run_command(cli() + " train --auto-repair --monitor off --data " + path("moons.csv") + " --out " +
                                  path("m.safetensors"));
  EXPECT_EQ(repair.exit_code, 2);
  EXPECT_NE(repair.output.find("error: --auto-repair needs the monitor: --monitor light or full"), std::string::npos)
      << repair.output;
  EXPECT_FALSE(fs::exists(path("m.safetensors")));
}

TEST_F(DataCli, ADivergingRunStopsAtOnceNamingTheTensor) {
  // Amounts in the thousands, unscaled, and SGD at lr 1000: the first layer overflows.
  ASSERT_EQ(run_command(cli() + " synth fraud --rows 2000 --seed 1 --out " + path("fraud.csv")).exit_code, 0);
  const auto r = run_command(cli() + " train --data " + path("fraud.csv") +
                             " --target is_fraud --no-standardize --optimizer sgd --lr 1000 --log " +
                             path("run.jsonl") + " --out " + path("m.safetensors"));
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("of layers.0.weight became non-finite at step"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the last loss the monitor recorded was"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(path("m.safetensors"))) << "no model from a failed run";
  std::ifstream in(path("run.jsonl"));
  std::string line, last;
  while (std::getline(in, line)) last = line;
  const auto end = nlohmann::json::parse(last);
  EXPECT_EQ(end["type"], "end");
  EXPECT_NE(end["error"].get<std::string>().find("became non-finite"), std::string::npos);
  // The value that stopped training is among the doctor's findings, on screen and in
  // the log alike, with the tensor the message names: the last link of the chain the
  // unscaled inputs began (its first fix, standardisation).
  ASSERT_FALSE(end["findings"].empty()) << last;
  const auto& top = end["findings"][0];
  EXPECT_EQ(top["symptom"], "unscaled_input") << last;
  ASSERT_FALSE(top["chain"].empty()) << last;
  EXPECT_EQ(top["chain"].back()["symptom"], "non_finite") << last;
  EXPECT_EQ(top["chain"].back()["layers"], nlohmann::json::array({"layers.0"})) << last;
  EXPECT_EQ(top["fixes"][0], "drop --no-standardize") << last;
  EXPECT_EQ(end["first_non_finite"]["tensor"], "layers.0.weight") << last;
  EXPECT_NE(r.output.find("which led to non_finite (layers.0):"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("try, in order: `drop --no-standardize`"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("nan"), std::string::npos) << "no ratio of zeros\n" << r.output;
  EXPECT_EQ(r.output.find("the loss fell"), std::string::npos) << "a failed run learned nothing\n" << r.output;
  // Without the monitor, the value that stopped training is still the finding.
  const auto unmonitored =
      run_command(cli() + " train --monitor off --data " + path("fraud.csv") +
                  " --target is_fraud --no-standardize --optimizer sgd --lr 1000 --out " + path("m.safetensors"));
  EXPECT_EQ(unmonitored.exit_code, 3) << unmonitored.output;
  EXPECT_NE(unmonitored.output.find("non_finite"), std::string::npos) << unmonitored.output;
  // With --json, standard output still holds one JSON object: the error and the files.
  // (Appended piece by piece: GCC 12 reports a false -Wstringop-overflow on the chain.)
  std::string quiet_stderr = "(";
  quiet_stderr += cli() + " train --json --data " + path("fraud.csv") +
                  " --target is_fraud --no-standardize --optimizer sgd --lr 1000 --log " + path("run2.jsonl") +
                  " --out " + path("m.safetensors");
  quiet_stderr += " 2>/dev/null)";
  const auto json = run_command(quiet_stderr);
  EXPECT_EQ(json.exit_code, 3) << json.output;
  const auto failed = nlohmann::json::parse(json.output);
  EXPECT_NE(failed["error"].get<std::string>().find("became non-finite"), std::string::npos) << json.output;
  EXPECT_EQ(failed["files"]["log"], path("run2.jsonl")) << json.output;
  ASSERT_FALSE(failed["findings"].empty()) << json.output;
  EXPECT_EQ(failed["findings"][0]["chain"].back()["symptom"], "non_finite") << json.output;
}

}  // namespace
}  // namespace glassnet
