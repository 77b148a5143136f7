// The glassnet executable, driven as a user would run it.

#include <gtest/gtest.h>

#include <filesystem>

#include "glassnet/core/scalar.hpp"
#include "run_command.hpp"

namespace glassnet {
namespace {

using testing::cli;
using testing::run_command;

TEST(Cli, HelpListsTheSubcommands) {
  const auto result = run_command(cli() + " --help");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("demo"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("gradcheck"), std::string::npos) << result.output;
}

TEST(Cli, BadUsageExitsWithTwo) {
  EXPECT_EQ(run_command(cli()).exit_code, 2);
  const auto unknown = run_command(cli() + " no-such-command");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.output.rfind("error: unknown command 'no-such-command'; the commands are train, doctor,", 0), 0u)
      << unknown.output;
  const auto unknown_option = run_command(cli() + " --bogus");
  EXPECT_EQ(unknown_option.exit_code, 2);
  EXPECT_EQ(unknown_option.output.rfind("error: unknown option '--bogus'; the commands are", 0), 0u)
      << unknown_option.output;
  // A command's unknown option is named as written, before a required one it left
  // missing, with the options it resembles by spelling or by the words of their help.
  const auto spelt = run_command(cli() + " eval --modle m.safetensors --data d.csv");
  EXPECT_EQ(spelt.exit_code, 2);
  EXPECT_EQ(spelt.output.rfind("error: glassnet eval: unknown option --modle (did you mean --model?); glassnet "
                               "eval --help lists its options",
                               0),
            0u)
      << spelt.output;
  const auto worded = run_command(cli() + " train --data d.csv --learning-rate 0.1");
  EXPECT_EQ(worded.exit_code, 2);
  EXPECT_NE(worded.output.find("unknown option --learning-rate (did you mean --lr"), std::string::npos)
      << worded.output;
  EXPECT_EQ(worded.output.find("0.1"), std::string::npos) << "its value is not a second complaint: " << worded.output;
  const auto stray = run_command(cli() + " train --data d.csv extra");
  EXPECT_EQ(stray.exit_code, 2);
  EXPECT_NE(stray.output.find("glassnet train: unexpected argument 'extra'"), std::string::npos) << stray.output;
  // Words of dashes alone, a nested command's words, and words after "--" (a crash, and
  // empty messages, before).
  for (const auto& [command, message] : std::vector<std::pair<std::string, std::string>>{
           {" train --data d.csv --=3", "error: glassnet train: unexpected argument '--=3'"},
           {" train --data d.csv ---", "error: glassnet train: unexpected argument '---'"},
           {" demo xor --bogus 3", "error: glassnet demo xor: unknown option --bogus; glassnet demo xor --help"},
           {" demo xor --epoch 3", "error: glassnet demo xor: unknown option --epoch (did you mean --epochs?)"},
           {" train --data d.csv -- --lr 3",
            "unexpected argument '--lr' (after '--', no word is read as an option); "
            "unexpected argument '3'"}}) {
    const auto r = run_command(cli() + command);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << command << ": " << r.output;
  }
  const auto bad_activation = run_command(cli() + " gradcheck --activation swish");
  EXPECT_EQ(bad_activation.exit_code, 2);
  EXPECT_NE(bad_activation.output.find("swish"), std::string::npos) << bad_activation.output;
  EXPECT_EQ(bad_activation.output.rfind("error: ", 0), 0u) << "usage errors read as other errors: "
                                                           << bad_activation.output;
  EXPECT_EQ(run_command(cli() + " gradcheck --layers 64,0").exit_code, 2);
  EXPECT_EQ(run_command(cli() + " gradcheck --layers 64,x").exit_code, 2);
  const auto bad_loss = run_command(cli() + " gradcheck --loss cross-entropy --outputs 1");
  EXPECT_EQ(bad_loss.exit_code, 2);
  EXPECT_NE(bad_loss.output.find("--outputs 2"), std::string::npos) << bad_loss.output;
}

// A numeric option out of its range says what it expected, in a line a user can read
// (the generic check printed its upper bound, the largest double, in 309 digits), and a
// run whose network or monitor series cannot fit in memory is refused before either is
// allocated (it ended in an internal error, std::bad_alloc).
TEST(Cli, NumericOptionsSayWhatTheyExpect) {
  const std::string train = cli() + " train --quiet --data /nonexistent.csv --out /tmp/never.safetensors ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--epochs 0", "--epochs: expected a whole number from 1 to 1000000, got '0'"},
      {"--epochs abc", "--epochs: expected a whole number from 1 to 1000000, got 'abc'"},
      {"--layers 64,0", "--layers: expected a whole number from 1 to 1000000, got '0'"},
      {"--layers 99999999999", "got '99999999999'"},
      {"--layers 64,,64", "--layers: expected numbers separated by single commas, got '64,,64'"},
      {"--layers 64,", "--layers: expected numbers separated by single commas, got '64,'"},
      {"--layers ,", "--layers: expected numbers separated by single commas, got ','"},
      {"--layers 8 --layers 4", "--layers: given twice ('8', then '4'); give it once, the numbers separated by commas"},
      {"--lr -1", "--lr: expected a finite number > 0, got '-1'"},
      {"--lr inf", "--lr: expected a finite number > 0, got 'inf'"},
      {"--clip-norm nan", "--clip-norm: expected a finite number ≥ 0, got 'nan'"},
      {"--val-split 1", "--val-split: expected a number from 0 to 0.9, got '1'"},
      {"--threads 100000", "--threads: expected a whole number from 0 to 1024, got '100000'"},
      {"--seed -1", "--seed: expected a whole number from 0 to 9223372036854775807, got '-1'"},
  };
  for (const auto& [option, message] : cases) {
    const auto r = run_command(train + option);
    EXPECT_EQ(r.exit_code, 2) << option << ": " << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << option << ": " << r.output;
    EXPECT_LT(r.output.size(), 200u) << option << ": " << r.output;
  }
  // gradcheck perturbs every parameter: sizes it could not finish are refused (20,000 ran
  // for hours; 100,000 was std::bad_alloc).
  const auto wide_check = run_command(cli() + " gradcheck --layers 20000,20000");
  EXPECT_EQ(wide_check.exit_code, 2) << wide_check.output;
  EXPECT_NE(wide_check.output.find("--layers: expected a whole number from 1 to 1024, got '20000'"), std::string::npos);
  // ... and so are sizes within each flag's range that together would run for hours.
  for (const std::string sizes : {"--layers 1024,1024", "--layers 1024 --inputs 1024 --batch 1024 --outputs 1024",
                                  "--layers 128,128,128,128,128,128,128,128 --batch 1024",
                                  "--inputs 1024 --batch 1024 --layers 16"}) {  // (the input's elements: 7e13)
    const auto long_check = run_command(cli() + " gradcheck " + sizes);
    EXPECT_EQ(long_check.exit_code, 2) << sizes << ": " << long_check.output;
    EXPECT_NE(long_check.output.find("above the 3e+12 a check may take; use fewer or narrower --layers, or a smaller "
                                     "--batch"),
              std::string::npos)
        << sizes << ": " << long_check.output;
  }
  EXPECT_EQ(run_command(cli() + " bench --threads 5000").exit_code, 2);
  // Options outside train's own table are checked alike (--warmup -5 was an internal error;
  // a negative seed wrapped around).
  for (const auto& [command, message] : std::vector<std::pair<std::string, std::string>>{
           {" bench --warmup -5", "--warmup: expected a whole number from 0 to 1000000, got '-5'"},
           {" synth moons --seed -1 --out /tmp/never.csv", "--seed: expected a whole number from 0 to"},
           {" synth moons --rows 1e3 --out /tmp/never.csv", "--rows: expected a whole number from 1 to 100000000"},
           {" synth moons --rows 0x10 --out /tmp/never.csv", "--rows: expected a whole number from 1 to 100000000"},
           {" synth fraud --fraud-rate nan --out /tmp/never.csv",
            "--fraud-rate: expected a number from 0.001 to 0.999"},
           // Sizes within the ranges that no memory holds: refused before anything is made
           // (std::bad_alloc, exit 1, before).
           {" synth moons --rows 100000000 --features 10000 --out /tmp/never.csv",
            "--rows 100000000 × --features 10000: the data set takes up to"},
           {" demo xor --seed -1", "--seed: expected a whole number from 0 to"},
           // An empty value is not the option left out.
           {" train --data d.csv --target ''", "--target: expected a column name, got an empty value"},
           {" train --data d.csv --delimiter ''", "--delimiter: expected , ; | or tab, got an empty value"},
           // An option of one value given twice (CLI11: "At Most 1 required but received 2").
           {" train --data d.csv --out a.safetensors --out b.safetensors",
            "--out is given 2 times ('a.safetensors', 'b.safetensors'); it takes one value"},
           {" eval --model m.safetensors --data a.csv --data b.csv", "--data is given 2 times ('a.csv', 'b.csv')"},
           // ... its values quoted as messages quote them: an escape sequence does not
           // reach the terminal.
           {" train --data d.csv --out \"$(printf 'a\\033[31m')\" --out b",
            "--out is given 2 times ('a\\x1b[31m', 'b')"},
           // ... whole: two long paths told apart at their ends.
           {" train --data d.csv --out /home/u/experiments/2026/run-a/model.safetensors --out "
            "/home/u/experiments/2026/run-a/model2.safetensors",
            "('/home/u/experiments/2026/run-a/model.safetensors', "
            "'/home/u/experiments/2026/run-a/model2.safetensors')"}}) {
    const auto r = run_command(cli() + command);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << command << ": " << r.output;
  }
  // An empty path is refused by its option's name (--log '' wrote no log and said
  // nothing; report, summary and demo named no option).
  for (const auto& [command, option] :
       std::vector<std::pair<std::string, std::string>>{{" train --data d.csv --log ''", "--log"},
                                                        {" train --data d.csv --report ''", "--report"},
                                                        {" train --data '' --out m.safetensors", "--data"},
                                                        {" report --log '' --out r.html", "--log"},
                                                        {" summary --log ''", "--log"},
                                                        {" demo --dir ''", "--dir"},
                                                        {" predict --model m --data ''", "--data"},
                                                        {" doctor --data d.csv --repair --best ''", "--best"}}) {
    const auto r = run_command(cli() + command);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.output;
    EXPECT_NE(r.output.find("error: " + option + ": expected a path, got an empty one"), std::string::npos)
        << command << ": " << r.output;
  }
  // doctor's --budget and --best do nothing without --repair: refused, not ignored.
  for (const std::string option : {"--budget 5", "--best b.toml", "--repair=false --budget 5"}) {
    const auto r = run_command(cli() + " doctor --data d.csv " + option);
    EXPECT_EQ(r.exit_code, 2) << option << ": " << r.output;
    const std::string named = option.substr(option.rfind("--"), option.rfind(' ') - option.rfind("--"));
    EXPECT_NE(r.output.find(named + " needs --repair"), std::string::npos) << r.output;
  }
  const auto tolerance = run_command(cli() + " gradcheck --tolerance nan");
  EXPECT_EQ(tolerance.exit_code, 2) << tolerance.output;
  EXPECT_NE(tolerance.output.find("--tolerance: expected a finite number > 0, got 'nan'"), std::string::npos);
  const std::string data = ::testing::TempDir() + "glassnet-cli-options.csv";
  ASSERT_EQ(run_command(cli() + " synth xor --rows 100 --out " + data).exit_code, 0);
  const std::string run =
      cli() + " train --quiet --data " + data + " --out " + ::testing::TempDir() + "never.safetensors ";
  const auto wide = run_command(run + "--layers 1000000,1000000");
  EXPECT_EQ(wide.exit_code, 2) << wide.output;
  EXPECT_NE(wide.output.find("--layers: the network's parameters and their gradients take 8000"), std::string::npos)
      << wide.output;
  // 500 layers: 1,000 tensors whose three norms each of 80 million steps keep (1.9 TB).
  std::string narrow = "1";
  for (int i = 1; i < 500; ++i) narrow += ",1";
  const auto long_run = run_command(run + "--epochs 1000000 --batch-size 1 --layers " + narrow);
  EXPECT_EQ(long_run.exit_code, 2) << long_run.output;
  EXPECT_NE(long_run.output.find("--epochs: the monitor's series of 80000000 steps take"), std::string::npos)
      << long_run.output;
}

TEST(Cli, GradcheckPassesAndPrintsEveryParameter) {
  const auto result = run_command(cli() + " gradcheck --layers 64,64 --activation tanh");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  for (const char* name : {"layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.4.bias"}) {
    EXPECT_NE(result.output.find(name), std::string::npos) << name << "\n" << result.output;
  }
  EXPECT_NE(result.output.find("passed"), std::string::npos) << result.output;
}

TEST(Cli, GradcheckCoversEveryActivationAndLoss) {
  for (const char* activation : {"relu", "leaky-relu", "gelu", "gelu-tanh", "sigmoid", "identity"}) {
    const auto result = run_command(cli() + " gradcheck --layers 8,8 --activation " + activation);
    EXPECT_EQ(result.exit_code, 0) << activation << "\n" << result.output;
  }
  EXPECT_EQ(run_command(cli() + " gradcheck --loss cross-entropy --outputs 4").exit_code, 0);
  EXPECT_EQ(run_command(cli() + " gradcheck --loss mse --outputs 3").exit_code, 0);
}

// A tensor whose every element sits at a ReLU kink is not checked: it was reported "ok"
// with zeros for its values, and the check "passed".
TEST(Cli, GradcheckDoesNotPassWhatItCouldNotCheck) {
  const auto result = run_command(cli() + " gradcheck --init zeros --activation relu");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("NOT CHECKED (128 skipped at a ReLU kink)"), std::string::npos) << result.output;
  // (A bias at the kink moves every row's input the same way: it is checked from below,
  // the side backward takes.)
  EXPECT_NE(result.output.find("but not checked: layers.0.weight (every element"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("passed"), std::string::npos) << result.output;
}

TEST(Cli, GradcheckFailsAboveTheTolerance) {
  // No finite-difference estimate is exact: a tolerance of 1e-300 cannot be met.
  const auto result = run_command(cli() + " gradcheck --layers 4 --tolerance 1e-300");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("FAILED"), std::string::npos) << result.output;
}

// A file of the story's that cannot be written is found before the data is made (it was
// found after the training, with half the files written).
TEST(Cli, TheDemoChecksItsFilesFirst) {
  const std::filesystem::path dir = ::testing::TempDir() + "glassnet-demo-blocked";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "repaired.html");
  const auto r = run_command(cli() + " demo --epochs 1 --dir " + dir.string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--dir " + (dir / "repaired.html").string() + ": that is a directory"), std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "fraud.csv"));
  std::filesystem::remove_all(dir);
}

TEST(Cli, DemoXorRunsXor) {
  const auto result = run_command(cli() + " demo xor");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("XOR"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("prediction"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace glassnet
