#pragma once
// glassnet.fit's keyword arguments as the command line's `train` options (python/
// glassnet_module.cpp): parsed by the command line's own option table (src/cli/
// run_options.hpp), so that names, defaults, checks and messages are the same.

#include <pybind11/pybind11.h>

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "cli/run_options.hpp"

namespace glassnet::python {

namespace py = pybind11;

// Parses `options` (and a config= file's, which the keywords override as the command
// line overrides them) into `flags` through `app`. name=value is --name value
// (underscores as dashes), lists, tuples and 1-D arrays are joined by commas, True
// (Python's or numpy's) is the flag alone, False and None nothing. Errors (glassnet::
// Error): a name that is no option, True for an option that takes a value, the options
// that name what X and y already hold (data, labels, target; help), and every check
// the command line makes.
void parse_options(const py::kwargs& options, CLI::App& app, cli::RunFlags& flags);

// A fix the doctor suggests, in fit's keywords: "--activation relu --init he" →
// 'activation="relu", init="he"', "--residual" → "residual=True", "drop
// --no-standardize" → "no_standardize=False", "smaller --layers" → "smaller layers=";
// other words stay as they are.
std::string fix_as_keywords(std::string_view fix);

}  // namespace glassnet::python
