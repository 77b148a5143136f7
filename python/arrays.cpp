#include "arrays.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "glassnet/core/error.hpp"

namespace glassnet::python {
namespace {

// A numpy str value — UCS-4 code points, NUL-padded to the array's width — as UTF-8
// in `out`; false for a code point that is no Unicode scalar value (a lone surrogate).
// (By hand: CPython's encoder needs a str object a value, 1.3 s for a column of a
// million rows where this takes a hundredth of that.)
bool utf8_of(const char* item, std::size_t width, std::string& out) {
  const auto code_point = [&](std::size_t i) {
    std::uint32_t c = 0;
    std::memcpy(&c, item + 4 * i, 4);  // (the array's data may be unaligned)
    return c;
  };
  while (width > 0 && code_point(width - 1) == 0) --width;
  out.clear();
  for (std::size_t i = 0; i < width; ++i) {
    const std::uint32_t c = code_point(i);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | c >> 6);
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      if (c >= 0xD800 && c <= 0xDFFF) return false;
      out += static_cast<char>(0xE0 | c >> 12);
      out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c <= 0x10FFFF) {
      out += static_cast<char>(0xF0 | c >> 18);
      out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
      out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      return false;
    }
  }
  return true;
}

// Whether an item of an object array or a list stands for a missing value: None, or a
// float NaN (as pandas writes a missing value).
bool missing_item(const py::handle item) {
  if (item.is_none()) return true;
  return py::isinstance<py::float_>(item) && std::isnan(item.cast<double>());
}

// `values` as a categorical column called `column` when it holds text: a numpy str or
// bytes (ASCII) array, or a list, tuple or object array of str, where None and NaN are
// missing, and so are the CSV file's missing-value markers. None for numbers (and for
// nothing but missing values). Text mixed with other values, bytes that are not ASCII
// and text that is not Unicode are Errors naming `name`; the first says `expected`.
std::optional<Column> text_column_of(const py::object& values, const std::string& column, const std::string& name,
                                     std::string_view expected) {
  py::array array = py::array::ensure(values);
  if (!array) return std::nullopt;
  const char kind = array.dtype().kind();
  if (kind != 'U' && kind != 'S' && kind != 'O') return std::nullopt;
  Column c{.name = column, .kind = ColumnKind::categorical};
  // Row r's value: missing, or set.
  std::optional<CategoryCodes> codes;
  const auto start = [&](std::size_t rows) {
    c.missing.assign(rows, false);
    codes.emplace(c);
  };
  const auto set = [&](std::size_t r, std::string_view value) {
    if (is_missing_marker(value)) {
      c.missing[r] = true;
    } else {
      codes->set(r, value);
    }
  };
  const auto not_unicode = [&](std::size_t r) {
    return Error(fmt::format("{}: record {}: text that is not Unicode (a lone surrogate)", name, r + 1));
  };
  // A list or tuple of str is read as given (numpy makes ['a', 1] and ['a', nan] all
  // text), an array of str or bytes from its data.
  const bool sequence = py::isinstance<py::list>(values) || py::isinstance<py::tuple>(values);
  if ((kind == 'U' && !sequence) || kind == 'S') {
    const py::array flat = array.attr("ravel")();  // (contiguous)
    const auto rows = static_cast<std::size_t>(flat.size()), width = static_cast<std::size_t>(flat.itemsize());
    const char* data = static_cast<const char*>(flat.data());
    start(rows);
    std::string text;
    for (std::size_t r = 0; r < rows; ++r) {
      const char* item = data + r * width;
      if (kind == 'U') {
        if (!utf8_of(item, width / 4, text)) throw not_unicode(r);
        set(r, text);
        continue;
      }
      std::size_t length = width;
      while (length > 0 && item[length - 1] == 0) --length;
      if (std::any_of(item, item + length, [](char b) { return static_cast<unsigned char>(b) >= 0x80; })) {
        throw Error(fmt::format("{}: bytes that are not ASCII text; pass them as str", name));
      }
      set(r, std::string_view(item, length));
    }
    return c;
  }
  // Objects: str, or missing; a value of another type is a number (or an error).
  const py::object items = sequence ? py::object(values) : py::object(array.attr("ravel")());
  start(static_cast<std::size_t>(py::len(items)));
  bool any_text = false, other = false;
  std::size_t r = 0;
  for (const py::handle item : items) {
    if (py::isinstance<py::str>(item)) {
      Py_ssize_t size = 0;
      const char* utf8 = PyUnicode_AsUTF8AndSize(item.ptr(), &size);
      if (utf8 == nullptr) {
        PyErr_Clear();
        throw not_unicode(r);
      }
      set(r, std::string_view(utf8, static_cast<std::size_t>(size)));
      any_text = true;
    } else {
      other = other || !missing_item(item);
      c.missing[r] = true;
    }
    ++r;
  }
  if (!any_text) return std::nullopt;  // numbers (or nothing but missing values)
  if (other) throw Error(fmt::format("{}: text and other values; expected {}", name, expected));
  return c;
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
    const std::string_view named(name);
    throw Error(fmt::format("{}: expected numbers, got {} values{}", name, py::str(kind).cast<std::string>(),
                            named == "X"   ? " (an array holds numeric features; with text columns, pass X as named "
                                             "columns: a dict or a pandas DataFrame)"
                            : named == "y" ? " (or class labels, every one a str)"
                                           : " (a column holds numbers or text)"));
  }
  return numbers;
}

bool named_columns(const py::object& x) {
  if (py::isinstance<py::array>(x) || py::isinstance<py::list>(x) || py::isinstance<py::tuple>(x)) return false;
  return py::hasattr(x, "keys") && py::hasattr(x, "__getitem__");
}

Table table_of_columns(const py::object& x) {
  Table table{.source = "X"};
  for (const py::handle key : x.attr("keys")()) {
    if (!py::isinstance<py::str>(key)) {
      throw Error(fmt::format("X: a column named {}; column names are str", py::repr(key).cast<std::string>()));
    }
    const std::string name = key.cast<std::string>(), where = fmt::format("X['{}']", name);
    if (table.find(name) >= 0) throw Error(fmt::format("X: two columns named '{}'", name));
    const py::object values = x.attr("__getitem__")(key);
    Column c{.name = name};
    const auto one_dimension = [&](py::ssize_t ndim) {
      if (ndim != 1) throw Error(fmt::format("{}: expected a column (1-D), got {} dimensions", where, ndim));
    };
    if (auto text = text_column_of(values, name, where, "a column of numbers, or of text (str)")) {
      one_dimension(py::array::ensure(values).ndim());
      c = std::move(*text);
    } else {
      const DoubleArray numbers = numbers_of(values, where.c_str());
      one_dimension(numbers.ndim());
      c.numbers.assign(numbers.data(), numbers.data() + numbers.shape(0));
      for (double v : c.numbers) c.missing.push_back(!std::isfinite(v));  // as a CSV's NaN and inf
    }
    if (!table.columns.empty() && c.missing.size() != table.columns.front().missing.size()) {
      throw Error(fmt::format("{}: {} value{}, where X['{}'] has {}", where, c.missing.size(),
                              c.missing.size() == 1 ? "" : "s", table.columns.front().name,
                              table.columns.front().missing.size()));
    }
    table.columns.push_back(std::move(c));
  }
  if (table.columns.empty()) throw Error("X: no columns");
  return table;
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
  if (auto labels = text_column_of(y, name, "y", "class labels, every one a str")) {
    const py::array given = py::array::ensure(y);
    check_shape(given.ndim(), given.ndim() > 0 ? given.shape(0) : 0, given.ndim() == 2 ? given.shape(1) : 1);
    labels->source = c.source;
    return std::move(*labels);
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
