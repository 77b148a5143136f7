#pragma once
// What the Python module takes from numpy and gives back (python/glassnet_module.cpp):
// X as a table of numeric columns, or of named columns of numbers or text, y as a target
// column of numbers or text labels, and matrices as float64 arrays. Errors are
// glassnet::Error naming X (or its column) or y.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/data/table.hpp"

namespace glassnet::python {

namespace py = pybind11;

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// An argument as float64 numbers, as numpy converts it (any numeric dtype, nested
// lists); an Error naming the argument (`name`: "X" or "y") when it holds something else.
DoubleArray numbers_of(const py::object& values, const char* name);

// X:[N, F] as a table of numeric columns named `names` (its source "X"; NaN and ±inf
// are missing values, as in a CSV file).
Table table_of(const DoubleArray& x, const std::vector<std::string>& names);

// Whether X is given as named columns: a mapping of name → column, such as a dict or a
// pandas DataFrame (anything with keys() and [name], but an array, list or tuple).
bool named_columns(const py::object& x);
// Named columns as a table (its source "X"), a column each, in the mapping's order:
// numbers (any numeric dtype; NaN and ±inf missing), or text — a numpy str or bytes
// array, or a list, tuple or object array of str, where None and NaN are missing, as
// a CSV's missing-value markers are. Every column as long as the first.
Table table_of_columns(const py::object& x);

// The names of X's columns in fit: x0, x1, ...
std::vector<std::string> feature_names(const DoubleArray& x);

// y:[N] (or [N, 1]) as the target column `name` of a table of `rows` rows: numbers, or
// text labels — a numpy str or bytes array, a list or object array of str — read as a
// CSV's text is (data/table.hpp: missing-value markers). Messages about its values name "y".
Column target_of(const py::object& y, Index rows, const std::string& name);

// m as a float64 array of its shape.
py::array_t<double> to_numpy(const Matrix& m);

}  // namespace glassnet::python
