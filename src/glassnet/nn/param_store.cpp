#include "glassnet/nn/param_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>

#include "glassnet/core/double_sums.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/core/threads.hpp"

namespace glassnet {

namespace {
// Gradients of fewer values are zeroed on the calling thread (bench/NOTES.md §10).
constexpr Index kParallelZeroing = Index(1) << 16;

constexpr std::array<std::pair<ParamRole, std::string_view>, 5> kRoleNames{{{ParamRole::weight, "weight"},
                                                                            {ParamRole::bias, "bias"},
                                                                            {ParamRole::norm_scale, "norm_scale"},
                                                                            {ParamRole::norm_shift, "norm_shift"},
                                                                            {ParamRole::buffer, "buffer"}}};
}  // namespace

std::string_view param_role_name(ParamRole role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "weight";
}

std::optional<ParamRole> parse_param_role(std::string_view name) {
  for (const auto& [r, n] : kRoleNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

ParamStore::Id ParamStore::add(std::string name, std::vector<Index> shape, Index rows, Index cols, ParamRole role) {
  if (find(name) >= 0) throw Error("parameter '" + name + "' is registered twice");
  if (values_owner_ != nullptr) throw Error("parameter '" + name + "': this store shares another's values");
  ParamInfo info;
  info.name = std::move(name);
  info.shape = std::move(shape);
  info.rows = rows;
  info.cols = cols;
  info.offset = size();
  info.role = role;
  info.trainable = role != ParamRole::buffer;
  params_.push_back(std::move(info));
  values_.resize(values_.size() + static_cast<std::size_t>(rows * cols), Scalar(0));
  grads_.resize(values_.size(), Scalar(0));
  return static_cast<Id>(params_.size() - 1);
}

MatrixView ParamStore::value(Id id) {
  const auto& p = info(id);
  return {value_data() + p.offset, p.rows, p.cols};
}

ConstMatrixView ParamStore::value(Id id) const {
  const auto& p = info(id);
  return {value_data() + p.offset, p.rows, p.cols};
}

MatrixView ParamStore::grad(Id id) {
  const auto& p = info(id);
  return {grads_.data() + p.offset, p.rows, p.cols};
}

ConstMatrixView ParamStore::grad(Id id) const {
  const auto& p = info(id);
  return {grads_.data() + p.offset, p.rows, p.cols};
}

void ParamStore::share_values(ParamStore& owner) {
  if (&owner == this) throw Error("share_values: a store cannot share its own values");
  for (std::size_t i = 0; i < std::max(params_.size(), owner.params_.size()); ++i) {
    const ParamInfo* mine = i < params_.size() ? &params_[i] : nullptr;
    const ParamInfo* theirs = i < owner.params_.size() ? &owner.params_[i] : nullptr;
    if (mine == nullptr || theirs == nullptr || mine->name != theirs->name || mine->offset != theirs->offset ||
        mine->rows != theirs->rows || mine->cols != theirs->cols) {
      throw Error(fmt::format("share_values: parameter {} is {} here and {} in the owner", i,
                              mine != nullptr ? fmt::format("{} [{}, {}]", mine->name, mine->rows, mine->cols) : "absent",
                              theirs != nullptr ? fmt::format("{} [{}, {}]", theirs->name, theirs->rows, theirs->cols)
                                                : "absent"));
    }
  }
  values_owner_ = &owner;
  values_.clear();
  values_.shrink_to_fit();
}

ParamStore::Id ParamStore::find(std::string_view name) const {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (params_[i].name == name) return static_cast<Id>(i);
  }
  return -1;
}

void ParamStore::set_trainable(Id id, bool trainable) {
  auto& p = params_.at(static_cast<std::size_t>(id));
  p.trainable = trainable && p.role != ParamRole::buffer;
}

namespace {

Index set_trainable_by_prefix(std::vector<ParamInfo>& params, std::string_view prefix, bool trainable) {
  Index matched = 0;
  for (auto& p : params) {
    if (std::string_view(p.name).starts_with(prefix)) {
      p.trainable = trainable && p.role != ParamRole::buffer;
      ++matched;
    }
  }
  if (matched == 0) throw Error("no parameter name starts with '" + std::string(prefix) + "'");
  return matched;
}

}  // namespace

Index ParamStore::freeze(std::string_view prefix) { return set_trainable_by_prefix(params_, prefix, false); }

Index ParamStore::unfreeze(std::string_view prefix) { return set_trainable_by_prefix(params_, prefix, true); }

Index ParamStore::trainable_size() const {
  Index n = 0;
  for (const auto& p : params_) {
    if (p.trainable) n += p.size();
  }
  return n;
}

void ParamStore::zero_grads() {
  // Large stores are zeroed in parts over the threads, as an elementwise pass is.
  const auto size = static_cast<Index>(grads_.size());
  const int parts = size < kParallelZeroing ? 1 : thread_count();
  parallel_ranges(size, parts, [this](Index begin, Index end) {
    std::fill(grads_.begin() + begin, grads_.begin() + end, Scalar(0));
  });
}

double ParamStore::grad_norm() const {
  double sum = 0.0;
  for (const auto& p : params_) {
    if (p.trainable) sum += squared_grad_norm(p);
  }
  return std::sqrt(sum);
}

double ParamStore::squared_grad_norm(const ParamInfo& p) const {
  // In double, so that exploding gradients stay finite.
  return squared_deviations_in_double(grads_.data() + p.offset, p.size(), 0.0);
}

double ParamStore::grad_norms(std::span<double> norms) const {
  assert(norms.size() == params_.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const ParamInfo& p = params_[i];
    norms[i] = 0.0;
    if (!p.trainable) continue;
    const double squared = squared_grad_norm(p);
    norms[i] = std::sqrt(squared);
    sum += squared;
  }
  return std::sqrt(sum);
}

}  // namespace glassnet
