#include "glassnet/train/prepared_data.hpp"

#include <fmt/format.h>

#include <numeric>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "glassnet/core/counted.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/core/memory.hpp"
#include "glassnet/data/feature_encoder.hpp"
#include "glassnet/data/read_data.hpp"
#include "glassnet/data/split.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet {
namespace {

Matrix rows_of(const Matrix& m, const std::vector<Index>& rows) {
  Matrix out(static_cast<Index>(rows.size()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Index>(i)) = m.row(rows[i]);
  return out;
}

// A warning for each text column whose rarer categories share its "(other)" input
// (--max-categories): how many training rows they hold.
void pooled_categories_warnings(const FeatureTransform& features, const InputRows& x_train,
                                std::vector<std::string>& warnings) {
  Index offset = 0;
  for (const FeatureColumn& f : features.columns) {
    const auto kept = static_cast<Index>(f.categories.size());
    if (f.kind == ColumnKind::categorical && f.other) {
      const Index pooled = x_train.rows_setting(offset + kept);
      warnings.push_back(fmt::format(
          "column '{}' has more than {} categories: the {} most frequent in the training rows are inputs, and the "
          "rest share one, {}=(other): {} of {} training rows ({:.1f} %). --max-categories N keeps more",
          f.name, kept + 1, kept, f.name, pooled, x_train.rows(),
          100.0 * static_cast<double>(pooled) / static_cast<double>(x_train.rows())));
    }
    offset += f.inputs();
  }
}

}  // namespace

Index target_index(const Table& table, const std::string& target) {
  if (target.empty()) return static_cast<Index>(table.columns.size()) - 1;
  return table.find_or_throw(target, "for the target");
}

bool same_preparation(const RunConfig& a, const RunConfig& b) {
  // A fraction is read only where no file takes its place.
  const bool same_val =
      a.val_data == b.val_data && (a.val_data ? a.val_labels == b.val_labels : a.val_split == b.val_split);
  const bool same_test =
      a.test_data == b.test_data && (a.test_data ? a.test_labels == b.test_labels : a.test_split == b.test_split);
  return a.data == b.data && a.labels == b.labels && a.target == b.target && a.ignore == b.ignore &&
         a.max_categories == b.max_categories && a.task == b.task && a.delimiter == b.delimiter && same_val &&
         same_test && a.seed == b.seed && a.standardize == b.standardize && a.impute == b.impute;
}

std::shared_ptr<const PreparedData> prepare_data(const RunConfig& config, const Table& data) {
  auto out = std::make_shared<PreparedData>();
  out->made_for = std::make_shared<const RunConfig>(config);
  // The data as given, or a copy with its missing values filled (--impute).
  std::optional<Table> imputed;
  if (config.impute) imputed = data;
  const Table& table = imputed ? *imputed : data;
  const Index target = target_index(table, config.target);
  const Column& target_column = table.columns[static_cast<std::size_t>(target)];
  out->labels = fit_labels(target_column, table.source, config.task);
  out->target = target_column.name;
  const Matrix y_all = out->labels.encode(target_column, table.source);
  const bool classification = out->labels.task != Task::regression;

  // Validation and test files take the training file's column kinds (a text column of
  // "007" and "B" is not read as numbers in a file where "007" is most values).
  ColumnKinds kinds;
  for (const Column& column : data.columns) kinds[column.name] = column.kind;
  std::optional<Table> val_table, test_table;
  if (config.val_data) val_table = read_data(*config.val_data, config.val_labels, config.delimiter, &kinds);
  if (config.test_data) test_table = read_data(*config.test_data, config.test_labels, config.delimiter, &kinds);
  std::vector<Index> classes;
  if (classification) {
    for (Index i = 0; i < y_all.rows(); ++i) classes.push_back(static_cast<Index>(y_all(i, 0)));
  }
  const Split split = split_rows(table.rows(), config.val_data ? 0.0 : config.val_split,
                                 config.test_data ? 0.0 : config.test_split, config.seed, classes);

  std::vector<Table*> others;
  if (val_table) others.push_back(&*val_table);
  if (test_table) others.push_back(&*test_table);
  if (!config.ignore.empty() && table.image_pixels > 0)
    throw Error(
        fmt::format("{}: --ignore is for a CSV file's columns; every pixel of an image is an input", table.source));
  // The columns --ignore leaves out neither need values nor are filled.
  const std::vector<Index> non_features = non_feature_columns(table, target, config.ignore);
  std::unordered_set<std::string_view> ignored;
  for (Index c : non_features) {
    if (c != target) ignored.insert(table.columns[static_cast<std::size_t>(c)].name);
  }
  ImputedValues imputed_values;  // --impute
  if (!config.impute) {
    const auto missing = find_missing(table);
    std::vector<MissingColumn> features_missing;
    for (const auto& m : missing) {
      if (m.name != target_column.name && !ignored.contains(m.name)) features_missing.push_back(m);
    }
    if (!features_missing.empty()) throw Error(describe_missing(table, features_missing));
    for (Table* other : others) {
      auto other_missing = find_missing(*other);
      std::erase_if(other_missing, [&](const MissingColumn& m) { return ignored.contains(m.name); });
      if (!other_missing.empty()) throw Error(describe_missing(*other, other_missing));
    }
  } else {
    imputed_values = impute(*imputed, *config.impute, split.train, non_features);
    for (Table* other : others) impute_like(*other, imputed_values, other->find(target_column.name));
  }

  out->features = fit_features(
      table, target, split.train,
      {.standardize = config.standardize, .ignore = config.ignore, .max_categories = config.max_categories});
  // The inputs below, checked before they are made.
  if (const auto available = available_memory_bytes()) {
    Index rows = table.rows();
    for (const Table* other : others) rows += other->rows();
    check_inputs_fit(out->features, rows, *available, table.source);
  }
  std::unordered_map<std::string_view, std::string_view> fills;  // --impute: prediction fills alike
  for (const ImputedValue& v : imputed_values.values) fills.emplace(v.column, v.value);
  for (FeatureColumn& feature : out->features.columns) {
    if (const auto fill = fills.find(feature.name); fill != fills.end()) feature.fill = std::string(fill->second);
  }
  out->row_numbers = row_number_columns(table, out->features);
  out->date_columns = date_columns(out->features);
  {
    const FeatureEncoder encoder(out->features, table);
    out->x_train = encoder.encode_rows(split.train);
    out->x_val = encoder.encode_rows(split.validation);
    out->x_test = encoder.encode_rows(split.test);
  }
  pooled_categories_warnings(out->features, out->x_train, out->warnings);
  out->y_train = rows_of(y_all, split.train);
  out->y_val = rows_of(y_all, split.validation);
  out->y_test = rows_of(y_all, split.test);
  const auto other_xy = [&](const Table& other, InputRows& x, Matrix& y, const char* name) {
    Index unseen = 0;
    std::vector<Index> rows(static_cast<std::size_t>(other.rows()));
    std::iota(rows.begin(), rows.end(), Index{0});
    x = FeatureEncoder(out->features, other).encode_rows(rows, &unseen);
    const Index t = other.find(target_column.name);
    if (t < 0) throw Error(fmt::format("{}: no target column '{}'", other.source, target_column.name));
    y = out->labels.encode(other.columns[static_cast<std::size_t>(t)], other.source);
    if (unseen > 0)
      out->warnings.push_back(fmt::format("{} in the {} data with a category unseen in training, encoded as all zeros",
                                          counted(unseen, "value"), name));
  };
  if (val_table) other_xy(*val_table, out->x_val, out->y_val, "validation");
  if (test_table) other_xy(*test_table, out->x_test, out->y_test, "test");

  out->bytes = table.bytes();
  for (const Table* other : others) out->bytes += other->bytes();
  out->bytes += static_cast<std::uint64_t>(y_all.size()) * sizeof(Scalar);
  for (const InputRows* x : {&out->x_train, &out->x_val, &out->x_test}) out->bytes += x->bytes();
  for (const Matrix* y : {&out->y_train, &out->y_val, &out->y_test}) {
    out->bytes += static_cast<std::uint64_t>(y->size()) * sizeof(Scalar);
  }
  return out;
}

}  // namespace glassnet
