#include "glassnet/data/labels.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <unordered_map>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

// A numeric label's text: the shortest that reads back as it, −0 written as 0 (they are
// one value, and one class).
std::string number_label(double value) { return fmt::format("{}", value + 0.0); }

std::string label_text(const Column& column, std::size_t r) {
  if (column.kind == ColumnKind::categorical) return column.text(r);
  return number_label(column.number(r));
}

// Labels as messages list them: each quoted (data/table.hpp: quoted_value).
std::vector<std::string> quoted_labels(std::span<const std::string> labels) {
  std::vector<std::string> out;
  for (const std::string& label : labels) out.push_back(quoted_value(label));
  return out;
}

}  // namespace

std::string_view task_name(Task task) {
  switch (task) {
    case Task::binary: return "binary";
    case Task::multiclass: return "multiclass";
    case Task::regression: return "regression";
  }
  return "?";
}

std::optional<Task> parse_task(std::string_view name) {
  for (Task t : {Task::binary, Task::multiclass, Task::regression}) {
    if (task_name(t) == name) return t;
  }
  return std::nullopt;
}

LabelEncoding fit_labels(const Column& target, const std::string& table_source, std::optional<Task> task) {
  const std::string& source = target.source.empty() ? table_source : target.source;
  for (std::size_t r = 0; r < target.missing.size(); ++r) {
    if (target.missing[r]) {
      throw Error(fmt::format("{}: the target column '{}' has a missing value; every row needs a target",
                              value_location(source, target, r), target.name));
    }
  }
  // Distinct values, sorted numerically for numbers and by text otherwise.
  std::vector<std::string> classes;
  bool all_integers = target.kind == ColumnKind::numeric;
  if (target.kind == ColumnKind::numeric) {
    std::set<double> distinct;
    for (std::size_t r = 0; r < target.missing.size(); ++r) distinct.insert(target.number(r));
    for (double v : distinct) {
      all_integers = all_integers && v == std::floor(v);
      classes.push_back(number_label(v));
    }
  } else {
    // (the categories that some row holds: every row has one, checked above)
    std::vector<bool> held(target.categories.size());
    for (std::uint32_t code : target.codes) held[code] = true;
    for (std::size_t k = 0; k < held.size(); ++k) {
      if (held[k]) classes.push_back(target.categories[k]);
    }
    std::sort(classes.begin(), classes.end());
  }
  const auto distinct = static_cast<Index>(classes.size());
  if (distinct < 2) {
    throw Error(fmt::format("{}: the target column '{}' is constant ('{}'): there is nothing to learn", source,
                            target.name, classes.empty() ? "" : quoted_value(classes.front())));
  }
  const bool categorical = target.kind == ColumnKind::categorical;
  Task inferred = Task::regression;
  if (distinct == 2)
    inferred = Task::binary;
  else if (distinct <= kMaxClasses && (categorical || all_integers))
    inferred = Task::multiclass;

  LabelEncoding encoding;
  encoding.task = task.value_or(inferred);
  if (encoding.task == Task::binary && distinct != 2) {
    throw Error(fmt::format(
        "{}: a binary task needs exactly 2 labels in '{}', found {} ({}{})", source, target.name, distinct,
        fmt::join(quoted_labels(std::span(classes).first(static_cast<std::size_t>(std::min<Index>(distinct, 5)))),
                  ", "),
        distinct > 5 ? ", ..." : ""));
  }
  if (encoding.task == Task::multiclass && distinct > 200) {
    throw Error(fmt::format("{}: the target '{}' has {} distinct values, too many for classes; use --task regression",
                            source, target.name, distinct));
  }
  if (encoding.task == Task::regression && categorical) {
    if (!task && distinct <= 200) {  // inferred: too many labels for classes to be assumed
      throw Error(fmt::format("{}: the target '{}' holds text with {} distinct labels, more than the {} taken as "
                              "classes without asking; use --task multiclass (up to 200 classes)",
                              source, target.name, distinct, kMaxClasses));
    }
    if (!task) {
      throw Error(fmt::format("{}: the target '{}' holds text with {} distinct labels: too many for classes (at most "
                              "200), and regression needs a numeric target",
                              source, target.name, distinct));
    }
    throw Error(fmt::format("{}: regression needs a numeric target; '{}' holds text", source, target.name));
  }
  if (encoding.task != Task::regression) {
    encoding.classes = std::move(classes);
    encoding.numbers = !categorical;
  }
  return encoding;
}

Matrix LabelEncoding::encode(const Column& target, const std::string& table_source) const {
  const std::string& source = target.source.empty() ? table_source : target.source;
  const auto rows = static_cast<Index>(target.missing.size());
  Matrix y(rows, 1);
  std::map<std::string, Index> index;
  for (std::size_t k = 0; k < classes.size(); ++k) index[classes[k]] = static_cast<Index>(k);
  std::unordered_map<double, Index> by_number;  // (−0 and 0 are one key, and one text: number_label)
  std::vector<Index> by_code(target.categories.size(), -1);  // a text label's class, by its code
  for (Index r = 0; r < rows; ++r) {
    const auto i = static_cast<std::size_t>(r);
    if (target.missing[i]) {
      throw Error(fmt::format("{}: the target column '{}' has a missing value; every row needs a target",
                              value_location(source, target, i), target.name));
    }
    if (task == Task::regression) {
      if (target.kind != ColumnKind::numeric) {
        throw Error(fmt::format("{}: regression needs a numeric target; '{}' holds text", source, target.name));
      }
      const double value = target.number(i);
      if (!(std::abs(value) <= std::numeric_limits<Scalar>::max())) {
        throw Error(
            fmt::format("{}: the target {:g} in column '{}' is beyond the largest value this build trains "
                        "on, {:g}",
                        value_location(source, target, i), value, target.name,
                        static_cast<double>(std::numeric_limits<Scalar>::max())));
      }
      y(r, 0) = static_cast<Scalar>(value);
      continue;
    }
    // A label's class, found once per distinct value (a number's text is a format).
    if (target.kind == ColumnKind::numeric) {
      if (const auto known = by_number.find(target.number(i)); known != by_number.end()) {
        y(r, 0) = static_cast<Scalar>(known->second);
        continue;
      }
    } else if (const Index known = by_code[target.codes[i]]; known >= 0) {
      y(r, 0) = static_cast<Scalar>(known);
      continue;
    }
    auto found = index.find(label_text(target, i));
    // (A model saved when -0 was its own text may name the class "-0".)
    if (found == index.end() && target.kind == ColumnKind::numeric && target.number(i) == 0) found = index.find("-0");
    if (found != index.end() && target.kind == ColumnKind::numeric) by_number.emplace(target.number(i), found->second);
    if (found != index.end() && target.kind == ColumnKind::categorical) by_code[target.codes[i]] = found->second;
    if (found == index.end()) {
      throw Error(fmt::format("{}: the label '{}' was not seen in training (known: {})",
                              value_location(source, target, i), quoted_value(label_text(target, i)),
                              fmt::join(quoted_labels(classes), ", ")));
    }
    y(r, 0) = static_cast<Scalar>(found->second);
  }
  return y;
}

std::size_t LabelEncoding::predicted_class(ConstMatrixView predictions, Index row) const {
  if (task == Task::binary) return predictions(row, 0) >= Scalar(0.5) ? 1 : 0;
  Index best = 0;
  predictions.row(row).maxCoeff(&best);
  return static_cast<std::size_t>(best);
}

}  // namespace glassnet
