// Data prepared once for runs that prepare it alike (train/prepared_data.hpp): a run on
// shared data is the run that prepares its own, and same_preparation tells exactly the
// options that change what is prepared.

#include "glassnet/train/prepared_data.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "glassnet/core/error.hpp"
#include "glassnet/data/csv.hpp"
#include "glassnet/data/input_rows.hpp"
#include "glassnet/data/read_data.hpp"
#include "glassnet/data/synthetic.hpp"
#include "glassnet/train/resume_options.hpp"
#include "glassnet/train/run.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;

RunConfig moons_config(const testing::ScratchDir& dir) {
  std::ofstream((dir.path / "moons.csv").string()) << dataset_csv(make_moons(400, 2, 0.2, 6));
  RunConfig c;
  c.data = dir.path / "moons.csv";
  c.layers = {16, 16};
  c.epochs = 4;
  c.test_split = 0.1;
  c.out = dir.path / "m.safetensors";
  return c;
}

// (Eigen's == asserts equal shapes: a split of other fractions has others.)
bool same(const Matrix& a, const Matrix& b) { return a.rows() == b.rows() && a.cols() == b.cols() && a == b; }
bool same(const InputRows& a, const InputRows& b) { return same(a.matrix(), b.matrix()); }

bool same_matrices(const PreparedData& a, const PreparedData& b) {
  return a.labels.task == b.labels.task && same(a.x_train, b.x_train) && same(a.y_train, b.y_train) &&
         same(a.x_val, b.x_val) && same(a.y_val, b.y_val) && same(a.x_test, b.x_test) && same(a.y_test, b.y_test);
}

// Two set-ups on one PreparedData end as each does on data of its own, bit for bit.
// The resume check names the training rows by the CRC of their input matrix's bytes:
// InputRows give the CRC their matrix gives (and so did checkpoints written before
// text columns were held as codes), over several blocks of rows.
TEST(PreparedData, TheResumeCheckNamesInputRowsByTheirMatrixBytes) {
  std::string csv = "amount,city,y\n";
  for (int i = 0; i < 3000; ++i) csv += fmt::format("{},c{},{}\n", i % 97, i * 7 % 23, i % 2);
  const Table table = make_table(parse_csv(csv, "crc.csv"));
  RunConfig c;
  c.seed = 4;
  const auto data = prepare_data(c, table);
  ASSERT_GT(data->x_train.rows(), 2048);
  ASSERT_FALSE(InputView(data->x_train).whole());
  const Matrix x = data->x_train.matrix(), x_val = data->x_val.matrix();
  EXPECT_EQ(resume_options_json(c, Task::binary, data->x_train, data->y_train, data->x_val, data->y_val),
            resume_options_json(c, Task::binary, x, data->y_train, x_val, data->y_val));
  Matrix changed = x;
  changed(2047, 0) += 1.0F;
  EXPECT_NE(resume_options_json(c, Task::binary, data->x_train, data->y_train, data->x_val, data->y_val),
            resume_options_json(c, Task::binary, changed, data->y_train, x_val, data->y_val));
}

TEST(PreparedData, RunsOnSharedDataEndAsRunsThatPrepareTheirOwn) {
  const testing::ScratchDir dir;
  const RunConfig c = moons_config(dir);
  const Table table = read_data(c.data);
  RunConfig other = c;
  other.layers = {8, 8, 8};
  other.activation = Activation::tanh;
  other.learning_rate = 3e-3;
  const auto shared = prepare_data(c, table);
  for (const RunConfig& config : {c, other}) {
    TrainingRun own(config, table), on_shared(config, shared);
    EXPECT_NE(own.data(), shared);
    EXPECT_EQ(on_shared.data(), shared) << "the run keeps the data it was given";
    EXPECT_TRUE(same_matrices(*own.data(), *shared));
    const RunResult a = own.finish(TrainingRun::SaveModel::no);
    const RunResult b = on_shared.finish(TrainingRun::SaveModel::no);
    for (const char* split : {"train", "val", "test"}) {
      EXPECT_EQ(a.metrics.at(split).values, b.metrics.at(split).values) << split;
    }
    EXPECT_EQ(a.monitor.loss, b.monitor.loss);
    ASSERT_EQ(a.findings.size(), b.findings.size());
  }
}

// Every option that changes what is prepared makes another preparation, and one that
// does not leaves the data as they were: same_preparation says which is which.
TEST(PreparedData, SamePreparationComparesTheOptionsThatChangeTheData) {
  const testing::ScratchDir dir;
  RunConfig c = moons_config(dir);
  {  // a value missing, filled by --impute mean: the fill is part of the preparation
    std::string text = dataset_csv(make_moons(400, 2, 0.2, 6));
    const std::size_t third_line = text.find('\n', text.find('\n') + 1) + 1;
    const std::size_t x1 = text.find(',', third_line) + 1;  // (x0 is a target below)
    text.erase(x1, text.find(',', x1) - x1);
    std::ofstream((dir.path / "gappy.csv").string()) << text;
    std::ofstream((dir.path / "val.csv").string()) << dataset_csv(make_moons(50, 2, 0.2, 7));
  }
  c.data = dir.path / "gappy.csv";
  c.impute = Imputation::mean;
  const Table table = read_data(c.data);
  const auto base = prepare_data(c, table);
  const fs::path val = dir.path / "val.csv";
  const std::vector<std::pair<std::string, std::function<void(RunConfig&)>>> changes_data = {
      {"impute", [](RunConfig& r) { r.impute = Imputation::median; }},
      {"val_data", [&](RunConfig& r) { r.val_data = val; }},
      {"test_data", [&](RunConfig& r) { r.test_data = val; }},
      {"seed", [](RunConfig& r) { r.seed = 9; }},
      {"val_split", [](RunConfig& r) { r.val_split = 0.3; }},
      {"test_split", [](RunConfig& r) { r.test_split = 0.0; }},
      {"standardize", [](RunConfig& r) { r.standardize = false; }},
      {"task", [](RunConfig& r) { r.task = Task::regression; }},
      {"target", [](RunConfig& r) { r.target = "x0"; }},
      {"ignore", [](RunConfig& r) { r.ignore = {"x1"}; }},
  };
  for (const auto& [name, change] : changes_data) {
    RunConfig changed = c;
    change(changed);
    EXPECT_FALSE(same_preparation(c, changed)) << name;
    const auto other = prepare_data(changed, table);
    EXPECT_FALSE(same_matrices(*base, *other)) << name << " should change the prepared data";
  }
  const std::vector<std::pair<std::string, std::function<void(RunConfig&)>>> leaves_data = {
      {"layers", [](RunConfig& r) { r.layers = {4}; }},
      {"activation", [](RunConfig& r) { r.activation = Activation::sigmoid; }},
      {"norm", [](RunConfig& r) { r.norm = Normalization::batch; }},
      {"optimizer", [](RunConfig& r) { r.optimizer = "sgd"; }},
      {"lr", [](RunConfig& r) { r.learning_rate = 0.5; }},
      {"epochs", [](RunConfig& r) { r.epochs = 2; }},
      {"batch_size", [](RunConfig& r) { r.batch_size = 7; }},
      {"class weights", [](RunConfig& r) { r.balanced_class_weights = true; }},
      {"threads", [](RunConfig& r) { r.threads = 1; }},
      {"auto_repair", [](RunConfig& r) { r.auto_repair = true; }},
      {"out", [](RunConfig& r) { r.out = "elsewhere.safetensors"; }},
  };
  for (const auto& [name, change] : leaves_data) {
    RunConfig changed = c;
    change(changed);
    EXPECT_TRUE(same_preparation(c, changed)) << name;
    EXPECT_TRUE(same_matrices(*base, *prepare_data(changed, table))) << name;
  }
  // Compared too: where the table and the validation and test files come from.
  const std::vector<std::pair<std::string, std::function<void(RunConfig&)>>> names_the_files = {
      {"data", [](RunConfig& r) { r.data = "other.csv"; }},
      {"labels", [](RunConfig& r) { r.labels = "labels.idx"; }},
      {"delimiter", [](RunConfig& r) { r.delimiter = ';'; }},
      {"val_labels", [&](RunConfig& r) { r.val_data = r.val_labels = val; }},
      {"test_labels", [&](RunConfig& r) { r.test_data = r.test_labels = val; }},
  };
  RunConfig with_files = c;
  with_files.val_data = with_files.test_data = val;
  for (const auto& [name, change] : names_the_files) {
    RunConfig changed = with_files;
    change(changed);
    EXPECT_FALSE(same_preparation(with_files, changed)) << name;
  }
  // A fraction a file takes the place of is not read, and not compared.
  RunConfig other_fractions = with_files;
  other_fractions.val_split = 0.4;
  other_fractions.test_split = 0.3;
  EXPECT_TRUE(same_preparation(with_files, other_fractions));
  EXPECT_TRUE(same_matrices(*prepare_data(with_files, table), *prepare_data(other_fractions, table)));
}

// A column --ignore leaves out needs no values, in the training file or the validation
// file, and --impute fills none of it (a column with no value at all is no error).
TEST(PreparedData, IgnoredColumnsNeedNoValues) {
  const testing::ScratchDir dir;
  std::string train = "note,x,y\n";
  for (int i = 0; i < 40; ++i) train += fmt::format("{},{},{}\n", i % 4 == 0 ? "ok" : "", i % 9, i % 2);
  std::ofstream((dir.path / "train.csv").string()) << train;
  std::ofstream((dir.path / "val.csv").string()) << "note,x,y\n,1,0\n,2,1\n";
  RunConfig c = moons_config(dir);
  c.data = dir.path / "train.csv";
  c.test_split = 0;
  const Table table = read_data(c.data);
  const std::string error = [&] {
    try {
      prepare_data(c, table);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  }();
  EXPECT_NE(error.find("column 'note': 30 (lines 3, 4, 5"), std::string::npos) << error;
  c.ignore = {"note"};
  EXPECT_EQ(prepare_data(c, table)->features.input_names(), std::vector<std::string>{"x"});
  c.val_data = dir.path / "val.csv";
  EXPECT_EQ(prepare_data(c, table)->x_val.rows(), 2);
  c.impute = Imputation::median;
  std::ofstream((dir.path / "empty-note.csv").string()) << "note,x,y\n,1,0\n,2,1\n,3,0\n,4,1\n,5,0\n";
  // (impute would stop at a column with no value in the training rows)
  EXPECT_EQ(prepare_data(c, read_data(dir.path / "empty-note.csv"))->features.input_names(),
            std::vector<std::string>{"x"});
}

// A text column beyond --max-categories is said so, with the training rows its "(other)"
// input takes.
TEST(PreparedData, PooledCategoriesAreAWarningWithTheirShareOfTheRows) {
  const testing::ScratchDir dir;
  std::ofstream((dir.path / "c.csv").string())
      << "c,x,y\nA,1,0\nB,2,1\nA,3,0\nC,4,1\nA,5,0\nB,6,1\nD,7,0\nA,8,1\nB,9,0\nA,10,1\n";
  RunConfig c = moons_config(dir);
  c.data = dir.path / "c.csv";
  c.val_split = c.test_split = 0;
  c.max_categories = 2;
  const auto prepared = prepare_data(c, read_data(c.data));
  EXPECT_EQ(prepared->features.input_names(), (std::vector<std::string>{"c=A", "c=(other)", "x"}));
  EXPECT_EQ(prepared->warnings,
            std::vector<std::string>{"column 'c' has more than 2 categories: the 1 most frequent in the training rows "
                                     "are inputs, and the rest share one, c=(other): 5 of 10 training rows (50.0 %). "
                                     "--max-categories N keeps more"});
  RunConfig more = c;
  more.max_categories = 4;
  EXPECT_FALSE(same_preparation(c, more));
  EXPECT_TRUE(prepare_data(more, read_data(c.data))->warnings.empty());
}

// Data prepared for another split is refused, not trained on.
TEST(PreparedData, ARunRefusesDataPreparedForAnotherConfiguration) {
  const testing::ScratchDir dir;
  const RunConfig c = moons_config(dir);
  const Table table = read_data(c.data);
  const auto prepared = prepare_data(c, table);
  RunConfig other_seed = c;
  other_seed.seed = 2;
  EXPECT_THROW(TrainingRun(other_seed, prepared), Error);
  EXPECT_THROW(TrainingRun(c, std::shared_ptr<const PreparedData>()), Error);
  EXPECT_NO_THROW(TrainingRun(c, prepared));
}

}  // namespace
}  // namespace glassnet
