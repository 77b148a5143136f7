#pragma once
// A run's configuration as the TOML file `glassnet train --config` reads
// (io/config_file.hpp): one key per option, named as on the command line, with the
// option's value; options at their default are written too, so the file states the
// whole run. Booleans are written for flags (`residual = true`).

#include <nlohmann/json.hpp>
#include <string>

#include "glassnet/train/run.hpp"

namespace glassnet {

std::string config_toml(const RunConfig& config);
// The same keys and values as a JSON object, in the same order (for --json output).
nlohmann::ordered_json config_options_json(const RunConfig& config);

}  // namespace glassnet
