#include "arrays.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "glassnet/core/error.hpp"

namespace glassnet::python {
namespace {

// y's labels as text when it holds strings: a numpy str or bytes array, or a list or
// object array of str. None for numbers (or a mix, which numbers_of refuses).
std::optional<std::vector<std::string>> labels_as_text(const py::object& y) {
  // A list that mixes text and numbers: numpy makes it all text (['a', 1] → ['a', '1']).
  if (py::isinstance<py::list>(y) || py::isinstance<py::tuple>(y)) {
    bool text = false, other = false;
    for (const py::handle item : y) (py::isinstance<py::str>(item) ? text : other) = true;
    if (text && other) throw Error("y: a list of text and other values; expected class labels, every one a str");
  }
  py::array labels = py::array::ensure(y);
  if (!labels) return std::nullopt;
  const char kind = labels.dtype().kind();
  if (kind != 'U' && kind != 'S' && kind != 'O') return std::nullopt;
  if (kind == 'S') {
    try {
      labels = labels.attr("astype")("U");
    } catch (const py::error_already_set&) {
      throw Error("y: bytes labels that are not ASCII text; pass them as str");
    }
  }
  std::vector<std::string> text;
  for (const py::handle item : labels.attr("ravel")()) {
    if (!py::isinstance<py::str>(item)) return std::nullopt;
    text.push_back(item.cast<std::string>());
  }
  return text;
}

}  // namespace

DoubleArray numbers_of(const py::object& values, const char* name) {
  // Text, dates and times are not numbers, though numpy converts some ("1.5", a date's
  // day count): refused as a CSV's text would be.
  const py::array given = py::array::ensure(values);
  const char dtype_kind = given ? given.dtype().kind() : 'O';
  const bool not_numbers = std::string_view("USMmV").find(dtype_kind) != std::string_view::npos;
  DoubleArray numbers = not_numbers ? DoubleArray() : DoubleArray::ensure(values);
  if (not_numbers || !numbers) {
    const py::object kind = py::isinstance<py::array>(values) ? py::object(py::str(values.attr("dtype")))
                                                              : py::object(py::type::of(values).attr("__name__"));
    throw Error(fmt::format("{}: expected numbers, got {} values{}", name, py::str(kind).cast<std::string>(),
                            std::string(name) == "X"
                                ? " (numpy input takes numeric features; text columns: glassnet train on a CSV file)"
                                : " (or class labels, every one a str)"));
  }
  return numbers;
}

Table table_of(const DoubleArray& x, const std::vector<std::string>& names) {
  if (x.ndim() != 2) throw Error(fmt::format("X: expected a 2-D array [rows, features], got {} dimensions", x.ndim()));
  const Index rows = x.shape(0), width = x.shape(1);
  if (width != static_cast<Index>(names.size())) {
    throw Error(fmt::format("X: expected {} features (columns), got {}", names.size(), width));
  }
  Table table{.source = "X"};
  const double* values = x.data();
  for (Index j = 0; j < width; ++j) {
    Column c{.name = names[static_cast<std::size_t>(j)]};
    c.numbers.resize(static_cast<std::size_t>(rows));
    c.missing.resize(static_cast<std::size_t>(rows));
    for (Index i = 0; i < rows; ++i) {
      const double v = values[i * width + j];
      c.numbers[static_cast<std::size_t>(i)] = v;
      c.missing[static_cast<std::size_t>(i)] = !std::isfinite(v);  // as a CSV's NaN and inf
    }
    table.columns.push_back(std::move(c));
  }
  return table;
}

std::vector<std::string> feature_names(const DoubleArray& x) {
  std::vector<std::string> names;
  for (Index j = 0; j < (x.ndim() == 2 ? x.shape(1) : 0); ++j) names.push_back(fmt::format("x{}", j));
  return names;
}

Column target_of(const py::object& y, Index rows, const std::string& name) {
  Column c{.name = name, .source = "y"};
  const auto check_shape = [&](py::ssize_t ndim, py::ssize_t length, py::ssize_t width) {
    if (ndim != 1 && !(ndim == 2 && width == 1))
      throw Error(fmt::format("y: expected a 1-D array of {} targets", rows));
    if (length != rows) throw Error(fmt::format("y: expected {} targets (one per row of X), got {}", rows, length));
  };
  if (const auto text = labels_as_text(y)) {
    const py::array labels = py::array::ensure(y);
    check_shape(labels.ndim(), labels.ndim() > 0 ? labels.shape(0) : 0, labels.ndim() == 2 ? labels.shape(1) : 1);
    c.kind = ColumnKind::categorical;
    for (const std::string& t : *text) c.missing.push_back(is_missing_marker(t));
    CategoryCodes codes(c);
    for (std::size_t r = 0; r < text->size(); ++r) {
      if (!c.missing[r]) codes.set(r, (*text)[r]);
    }
    return c;
  }
  // Integers beyond ±2^53 are not all float64 numbers: 2^53 + 1 became 2^53, and two
  // labels one (or a "constant" target).
  if (const py::array given = py::array::ensure(y);
      given && given.size() > 0 && (given.dtype().kind() == 'i' || given.dtype().kind() == 'u')) {
    const py::int_ limit(std::int64_t{1} << 53), negative_limit(-(std::int64_t{1} << 53));
    for (const char* end : {"max", "min"}) {
      const py::object value = given.attr(end)();  // (abs() of int64's least would overflow)
      if (value.attr("__gt__")(limit).cast<bool>() || value.attr("__lt__")(negative_limit).cast<bool>()) {
        throw Error(
            fmt::format("y: the integer {} is beyond ±2^53, where float64 holds not every integer (two "
                        "labels could become one); pass class labels as str, or values as float",
                        py::str(value).cast<std::string>()));
      }
    }
  }
  const DoubleArray numbers = numbers_of(y, "y");
  check_shape(numbers.ndim(), numbers.ndim() > 0 ? numbers.shape(0) : 0, numbers.ndim() == 2 ? numbers.shape(1) : 1);
  c.numbers.assign(numbers.data(), numbers.data() + rows);
  for (double v : c.numbers) c.missing.push_back(!std::isfinite(v));
  return c;
}

py::array_t<double> to_numpy(const Matrix& m) {
  py::array_t<double> out({m.rows(), m.cols()});
  double* data = out.mutable_data();
  for (Index i = 0; i < m.size(); ++i) data[i] = static_cast<double>(m.data()[i]);
  return out;
}

}  // namespace glassnet::python
