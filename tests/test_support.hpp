#pragma once
// Helpers shared by the unit tests.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/core/rng.hpp"
#include "glassnet/diag/doctor.hpp"
#include "glassnet/nn/activations.hpp"
#include "glassnet/nn/batch_norm.hpp"
#include "glassnet/nn/dropout.hpp"
#include "glassnet/nn/layer_norm.hpp"
#include "glassnet/nn/linear.hpp"
#include "glassnet/nn/residual.hpp"

namespace glassnet::testing {

// A directory of the test's own under the system's temporary directory (the process,
// the test's name and a count make it unique), removed with everything in it at the end.
struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    static int count = 0;
    path = std::filesystem::temp_directory_path() /
           fmt::format("glassnet-test-{}-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name(), ++count);
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

// The finding about `symptom`, or null.
inline const Finding* find_finding(const std::vector<Finding>& findings, const std::string& symptom) {
  for (const Finding& f : findings) {
    if (f.symptom == symptom) return &f;
  }
  return nullptr;
}

inline Matrix random_matrix(Index rows, Index cols, Rng& rng, double stddev = 1.0) {
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<Scalar>(rng.normal(0.0, stddev));
  return m;
}

// Gives every parameter a random value, so that checks see no special structure
// (γ = 1, β = 0, zero biases); buffers (running variances) stay positive.
inline void randomize(ParamStore& params, Rng& rng) {
  for (const auto& p : params.params()) {
    Scalar* v = params.values().data() + p.offset;
    for (Index i = 0; i < p.size(); ++i) {
      v[i] = p.role == ParamRole::buffer ? static_cast<Scalar>(0.5 + rng.uniform())
                                         : v[i] + static_cast<Scalar>(rng.normal(0.0, 0.3));
    }
  }
}

// Every layer kind of the library, each with a name for test messages.
struct LayerFactory {
  std::string name;
  std::function<LayerPtr()> make;
};

inline std::vector<LayerFactory> every_layer() {
  return {
      {"linear", [] { return std::make_unique<Linear>(3); }},
      {"linear_without_bias", [] { return std::make_unique<Linear>(3, false); }},
      {"identity", [] { return make_activation(Activation::identity); }},
      {"sigmoid", [] { return make_activation(Activation::sigmoid); }},
      {"tanh", [] { return make_activation(Activation::tanh); }},
      {"relu", [] { return make_activation(Activation::relu); }},
      {"leaky_relu", [] { return make_activation(Activation::leaky_relu, 0.1); }},
      {"gelu", [] { return make_activation(Activation::gelu); }},
      {"gelu_tanh", [] { return make_activation(Activation::gelu_tanh); }},
      {"batch_norm", [] { return std::make_unique<BatchNorm>(); }},
      {"layer_norm", [] { return std::make_unique<LayerNorm>(); }},
      {"dropout", [] { return std::make_unique<Dropout>(0.3); }},
      {"residual",
       [] {
         auto body = std::make_unique<Sequential>();
         body->add(std::make_unique<LayerNorm>());
         body->add(make_activation(Activation::gelu));
         return std::make_unique<Residual>(std::move(body));
       }},
  };
}

inline constexpr Activation kEveryActivation[] = {Activation::identity, Activation::sigmoid,    Activation::tanh,
                                                  Activation::relu,     Activation::leaky_relu, Activation::gelu,
                                                  Activation::gelu_tanh};

}  // namespace glassnet::testing
