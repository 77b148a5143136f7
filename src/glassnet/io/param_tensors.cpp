#include "glassnet/io/param_tensors.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "glassnet/core/error.hpp"
#include "glassnet/nn/batch_norm.hpp"

namespace glassnet {

void append_param_tensors(const ParamStore& params, const std::string& prefix, SafetensorsFile& file) {
  for (const auto& p : params.params()) {
    const Scalar* v = params.values().data() + p.offset;
    file.tensors.push_back({prefix + p.name, kScalarDtype, std::vector<std::int64_t>(p.shape.begin(), p.shape.end()),
                            std::vector<double>(v, v + p.size())});
  }
}

std::vector<const SafetensorsTensor*> find_param_tensors(const ParamStore& params, const SafetensorsFile& file,
                                                         const std::string& prefix, const std::string& source) {
  std::vector<const SafetensorsTensor*> found;
  for (const auto& p : params.params()) {
    const std::string name = prefix + p.name;
    const SafetensorsTensor* t = file.find(name);
    if (t == nullptr) throw Error(fmt::format("{}: tensor '{}' is missing", source, name));
    if (t->shape != std::vector<std::int64_t>(p.shape.begin(), p.shape.end())) {
      throw Error(fmt::format("{}: tensor '{}' has shape [{}]; the architecture needs [{}]", source, name,
                              fmt::join(t->shape, ", "), fmt::join(p.shape, ", ")));
    }
    const bool variance = p.name.ends_with(kRunningVariance);
    for (std::size_t k = 0; k < t->values.size(); ++k) {
      if (!std::isfinite(t->values[k])) {
        throw Error(fmt::format("{}: tensor '{}' holds a non-finite value at offset {}", source, name, k));
      }
      if (!std::isfinite(static_cast<Scalar>(t->values[k]))) {
        throw Error(fmt::format("{}: tensor '{}' holds {:g} at offset {}, beyond this build's float range", source,
                                name, t->values[k], k));
      }
      if (variance && t->values[k] < 0) {
        throw Error(
            fmt::format("{}: tensor '{}' holds a negative variance ({}) at offset {}", source, name, t->values[k], k));
      }
    }
    found.push_back(t);
  }
  return found;
}

void copy_param_tensors(ParamStore& params, const std::vector<const SafetensorsTensor*>& tensors) {
  for (std::size_t i = 0; i < params.params().size(); ++i) {
    Scalar* v = params.values().data() + params.params()[i].offset;
    for (std::size_t k = 0; k < tensors[i]->values.size(); ++k) v[k] = static_cast<Scalar>(tensors[i]->values[k]);
  }
}

}  // namespace glassnet
