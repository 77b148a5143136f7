#pragma once
// A finding as JSON, the form of train --json, the metrics log and the doctor:
//   {"symptom", "severity", "summary", "layers": [...], "steps": [first, last],
//    "evidence": [...], "causes": [...], "fixes": [...],
//    "chain": [{"symptom", "layers", "steps", "evidence"}, ...]}   (diag/causal_chain.hpp)

#include <nlohmann/json.hpp>
#include <vector>

#include "glassnet/diag/doctor.hpp"

namespace glassnet {

nlohmann::json finding_json(const Finding& finding);
nlohmann::json findings_json(const std::vector<Finding>& findings);

// The reverse, for reading a metrics log. Throws Error naming the field that is missing
// or of the wrong type.
Finding finding_from_json(const nlohmann::json& json);
std::vector<Finding> findings_from_json(const nlohmann::json& json);

}  // namespace glassnet
