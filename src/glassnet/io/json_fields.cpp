#include "glassnet/io/json_fields.hpp"

#include <fmt/format.h>

namespace glassnet {

JsonFields::JsonFields(const nlohmann::json& object, std::string_view context) : object_(object), context_(context) {
  if (!object_.is_object()) throw error("not an object");
}

Error JsonFields::error(std::string_view what) const {
  return Error(context_.empty() ? std::string(what) : fmt::format("{}: {}", context_, what));
}

const nlohmann::json& JsonFields::member(const char* name) const {
  const auto it = object_.find(name);
  if (it == object_.end()) throw error(fmt::format("\"{}\" is missing", name));
  return *it;
}

double JsonFields::number(const char* name) const {
  const nlohmann::json& value = member(name);
  if (!value.is_number()) throw error(fmt::format("\"{}\" is not a number", name));
  return value.get<double>();
}

std::optional<double> JsonFields::nullable(const char* name) const {
  if (member(name).is_null()) return std::nullopt;
  return number(name);
}

std::optional<double> JsonFields::optional_number(const char* name) const {
  return has(name) ? nullable(name) : std::nullopt;
}

Index JsonFields::integer(const char* name) const {
  const nlohmann::json& value = member(name);
  if (!value.is_number_integer()) throw error(fmt::format("\"{}\" is not an integer", name));
  return value.get<Index>();
}

bool JsonFields::boolean(const char* name) const {
  const nlohmann::json& value = member(name);
  if (!value.is_boolean()) throw error(fmt::format("\"{}\" is not true or false", name));
  return value.get<bool>();
}

std::string JsonFields::text(const char* name) const {
  const nlohmann::json& value = member(name);
  if (!value.is_string()) throw error(fmt::format("\"{}\" is not a string", name));
  return value.get<std::string>();
}

std::vector<std::string> JsonFields::strings(const char* name) const {
  std::vector<std::string> out;
  for (const nlohmann::json& s : array(name)) {
    if (!s.is_string()) throw error(fmt::format("\"{}\" holds a value that is not a string", name));
    out.push_back(s.get<std::string>());
  }
  return out;
}

const nlohmann::json& JsonFields::array(const char* name) const {
  const nlohmann::json& value = member(name);
  if (!value.is_array()) throw error(fmt::format("\"{}\" is not an array", name));
  return value;
}

const nlohmann::json& JsonFields::object(const char* name) const {
  const nlohmann::json& value = member(name);
  if (!value.is_object()) throw error(fmt::format("\"{}\" is not an object", name));
  return value;
}

std::string json_error_text(const nlohmann::json::exception& e) {
  const std::string what = e.what();
  const std::size_t tag = what.starts_with("[json.exception.") ? what.find("] ") : std::string::npos;
  return tag == std::string::npos ? what : what.substr(tag + 2);
}

}  // namespace glassnet
