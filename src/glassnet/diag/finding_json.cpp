#include "glassnet/diag/finding_json.hpp"

namespace glassnet {
namespace {

nlohmann::json links_json(const std::vector<Link>& chain) {
  nlohmann::json out = nlohmann::json::array();
  for (const Link& l : chain) {
    out.push_back({{"symptom", l.symptom},
                   {"layers", l.layers},
                   {"steps", {l.first_step, l.last_step}},
                   {"evidence", l.evidence}});
  }
  return out;
}

}  // namespace

nlohmann::json finding_json(const Finding& f) {
  return {{"symptom", f.symptom},
          {"severity", severity_name(f.severity)},
          {"summary", f.summary},
          {"layers", f.layers},
          {"steps", {f.first_step, f.last_step}},
          {"evidence", f.evidence},
          {"causes", f.causes},
          {"fixes", f.fixes},
          {"chain", links_json(f.chain)}};
}

nlohmann::json findings_json(const std::vector<Finding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  for (const Finding& f : findings) out.push_back(finding_json(f));
  return out;
}

}  // namespace glassnet
