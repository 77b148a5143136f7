// predict_model and evaluate_model over tables longer than one encoded block: the same
// bits as the network's predictions over the whole input matrix.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "glassnet/core/error.hpp"
#include "glassnet/core/rng.hpp"
#include "glassnet/data/csv.hpp"
#include "glassnet/data/features.hpp"
#include "glassnet/data/labels.hpp"
#include "glassnet/io/model_file.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet {
namespace {

// 5,000 rows (2 blocks and a part), a numeric column, a text column with categories the
// model never saw, a numeric column with missing values the model fills.
Table wide_table() {
  std::string csv = "amount,city,hour,y\n";
  for (int i = 0; i < 5000; ++i) {
    const std::string hour = i >= 2000 && i % 97 == 0 ? "" : fmt::format("{}", i % 24);  // training: rows < 2000
    csv += fmt::format("{},city{},{},{}\n", (i * 37 % 1000) * 0.5, i * 13 % 60, hour, i % 3 == 0 ? "yes" : "no");
  }
  return make_table(parse_csv(csv, "wide.csv"));
}

Model model_for(const Table& table) {
  std::vector<Index> training;
  for (Index r = 0; r < 2000; ++r) {
    if (table.columns[1].text(static_cast<std::size_t>(r)) < "city5") training.push_back(r);  // city5… unseen
  }
  Model model;
  model.target = "y";
  model.labels = fit_labels(table.columns[3], table.source, std::nullopt);
  model.features = fit_features(table, 3, training, {.standardize = true});
  model.features.columns[2].fill = "12";
  Rng rng(7);
  model.network = make_network(
      {.in_features = model.features.width(), .hidden = {16, 8}, .out_features = 1, .output = OutputTransform::sigmoid},
      rng);
  return model;
}

TEST(PredictModel, BlockByBlockIsTheWholeMatrixBitForBit) {
  const Table table = wide_table();
  Model model = model_for(table);
  Table filled = table;
  model.features.fill_missing(filled);
  Index whole_unseen = 0;
  const Matrix whole = model.network->predict(model.features.transform(filled, &whole_unseen));
  ASSERT_GT(whole_unseen, 0);
  Index unseen = 0;
  const Matrix p = predict_model(model, table, &unseen);
  EXPECT_EQ(unseen, whole_unseen);
  ASSERT_EQ(p.rows(), table.rows());
  EXPECT_EQ(p, whole);
  const Matrix y = model.labels.encode(table.columns[3], table.source);
  Index correct = 0;
  for (Index i = 0; i < y.rows(); ++i) correct += (whole(i, 0) >= 0.5F) == (y(i, 0) == 1.0F);
  EXPECT_DOUBLE_EQ(evaluate_model(model, table)["accuracy"],
                   static_cast<double>(correct) / static_cast<double>(y.rows()));
  EXPECT_THROW(predict_model(model, make_table(parse_csv("amount,hour\n1,2\n", "no_city.csv"))), Error);
}

}  // namespace
}  // namespace glassnet
