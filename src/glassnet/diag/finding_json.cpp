#include "glassnet/diag/finding_json.hpp"

#include <fmt/format.h>

#include "glassnet/core/error.hpp"
#include "glassnet/io/json_fields.hpp"

namespace glassnet {
namespace {

std::pair<Index, Index> steps(const JsonFields& fields) {
  const auto& s = fields.array("steps");
  if (s.size() != 2 || !s[0].is_number_integer() || !s[1].is_number_integer()) {
    throw fields.error("\"steps\" is not [first, last]");
  }
  return {s[0].get<Index>(), s[1].get<Index>()};
}

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

Finding finding_from_json(const nlohmann::json& json) {
  const JsonFields fields(json, "finding");
  Finding f;
  f.symptom = fields.text("symptom");
  const std::string severity = fields.text("severity");
  if (severity == "info") {
    f.severity = Severity::info;
  } else if (severity == "warning") {
    f.severity = Severity::warning;
  } else if (severity == "error") {
    f.severity = Severity::error;
  } else {
    throw fields.error(fmt::format("severity \"{}\" is not info, warning or error", severity));
  }
  f.summary = fields.text("summary");
  f.layers = fields.strings("layers");
  std::tie(f.first_step, f.last_step) = steps(fields);
  f.evidence = fields.strings("evidence");
  f.causes = fields.strings("causes");
  f.fixes = fields.strings("fixes");
  for (const auto& l : fields.array("chain")) {
    const JsonFields link_fields(l, "finding: a link of \"chain\"");
    Link link;
    link.symptom = link_fields.text("symptom");
    link.layers = link_fields.strings("layers");
    std::tie(link.first_step, link.last_step) = steps(link_fields);
    link.evidence = link_fields.strings("evidence");
    f.chain.push_back(std::move(link));
  }
  return f;
}

std::vector<Finding> findings_from_json(const nlohmann::json& json) {
  if (!json.is_array()) throw Error("findings: not an array");
  std::vector<Finding> out;
  for (const auto& f : json) out.push_back(finding_from_json(f));
  return out;
}

}  // namespace glassnet
