#include "glassnet/diag/finding_json.hpp"

#include <fmt/format.h>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

const nlohmann::json& field(const nlohmann::json& object, const char* name, nlohmann::json::value_t type) {
  const auto it = object.find(name);
  if (it == object.end() || it->type() != type) {
    const std::string expected = nlohmann::json(type).type_name();
    throw Error(fmt::format("finding: \"{}\" missing or not {} {}", name,
                            expected.find_first_of("aeiou") == 0 ? "an" : "a", expected));
  }
  return *it;
}

std::vector<std::string> strings(const nlohmann::json& object, const char* name) {
  std::vector<std::string> out;
  for (const auto& s : field(object, name, nlohmann::json::value_t::array)) {
    if (!s.is_string()) throw Error(fmt::format("finding: \"{}\" holds a value that is not a string", name));
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::pair<Index, Index> steps(const nlohmann::json& object) {
  const auto& s = field(object, "steps", nlohmann::json::value_t::array);
  if (s.size() != 2 || !s[0].is_number_integer() || !s[1].is_number_integer()) {
    throw Error("finding: \"steps\" is not [first, last]");
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
  if (!json.is_object()) throw Error("finding: not an object");
  using T = nlohmann::json::value_t;
  Finding f;
  f.symptom = field(json, "symptom", T::string).get<std::string>();
  const std::string severity = field(json, "severity", T::string).get<std::string>();
  if (severity == "info") f.severity = Severity::info;
  else if (severity == "warning") f.severity = Severity::warning;
  else if (severity == "error") f.severity = Severity::error;
  else throw Error(fmt::format("finding: severity \"{}\" is not info, warning or error", severity));
  f.summary = field(json, "summary", T::string).get<std::string>();
  f.layers = strings(json, "layers");
  std::tie(f.first_step, f.last_step) = steps(json);
  f.evidence = strings(json, "evidence");
  f.causes = strings(json, "causes");
  f.fixes = strings(json, "fixes");
  for (const auto& l : field(json, "chain", T::array)) {
    if (!l.is_object()) throw Error("finding: a link of \"chain\" is not an object");
    Link link;
    link.symptom = field(l, "symptom", T::string).get<std::string>();
    link.layers = strings(l, "layers");
    std::tie(link.first_step, link.last_step) = steps(l);
    link.evidence = strings(l, "evidence");
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
