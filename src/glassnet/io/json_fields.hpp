#pragma once
// The typed members of one JSON object that glassnet reads back from a file (a metrics
// log's lines, a repair, a finding). Every reader throws Error with the member's name
// and what was expected: `CONTEXT: "NAME" is missing`, `CONTEXT: "NAME" is not a number`.
// An empty context leaves the prefix off, for a caller that adds FILE:LINE itself.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassnet/core/error.hpp"
#include "glassnet/core/scalar.hpp"

namespace glassnet {

class JsonFields {
 public:
  // Throws `CONTEXT: not an object` unless `object` is one. Keeps a reference: `object`
  // must outlive this reader.
  JsonFields(const nlohmann::json& object, std::string_view context);
  JsonFields(nlohmann::json&& object, std::string_view context) = delete;  // would dangle

  bool has(const char* name) const { return object_.contains(name); }
  const nlohmann::json& member(const char* name) const;

  double number(const char* name) const;
  // A number, or null (written for a value that was not finite): nullopt.
  std::optional<double> nullable(const char* name) const;
  // Missing or null: nullopt.
  std::optional<double> optional_number(const char* name) const;
  Index integer(const char* name) const;
  bool boolean(const char* name) const;
  std::string text(const char* name) const;
  std::vector<std::string> strings(const char* name) const;
  const nlohmann::json& array(const char* name) const;
  const nlohmann::json& object(const char* name) const;

  // An error about this object: `CONTEXT: what`.
  Error error(std::string_view what) const;

 private:
  const nlohmann::json& object_;
  std::string context_;
};

// nlohmann's message without its tag: "[json.exception.out_of_range.406] number
// overflow parsing '1e400'" → "number overflow parsing '1e400'".
std::string json_error_text(const nlohmann::json::exception& e);

}  // namespace glassnet
