#pragma once
// What the Python module takes from numpy and gives back (python/glassnet_module.cpp):
// X as a table of numeric columns, y as a target column of numbers or text labels, and
// matrices as float64 arrays. Errors are glassnet::Error naming X or y.

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

// The names of X's columns in fit: x0, x1, ...
std::vector<std::string> feature_names(const DoubleArray& x);

// y:[N] (or [N, 1]) as the target column `name` of a table of `rows` rows: numbers, or
// text labels — a numpy str or bytes array, a list or object array of str — read as a
// CSV's text is (data/table.hpp: missing-value markers). Messages about its values name "y".
Column target_of(const py::object& y, Index rows, const std::string& name);

// m as a float64 array of its shape.
py::array_t<double> to_numpy(const Matrix& m);

}  // namespace glassnet::python
