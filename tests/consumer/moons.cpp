// Trains a small network on two interleaved half-moons with an installed glassnet.
#include <glassnet/data/synthetic.hpp>
#include <glassnet/loss/bce_with_logits.hpp>
#include <glassnet/nn/network.hpp>
#include <glassnet/optim/adam.hpp>
#include <glassnet/train/trainer.hpp>

#include <iostream>

int main() {
  using namespace glassnet;
  const Dataset train = make_moons(1000, 2, 0.1, 1), test = make_moons(500, 2, 0.1, 2);
  Rng rng(1);
  auto network = make_network({.in_features = 2, .hidden = {32, 32}, .out_features = 1}, rng);
  BceWithLogits loss;
  Adam adam(1e-2);
  Trainer trainer(*network, loss, adam);
  trainer.fit({train.x, train.y}, {.epochs = 30, .batch_size = 32, .seed = 1});
  const double accuracy = *trainer.evaluate_with_accuracy({test.x, test.y}).accuracy;
  std::cout << "test accuracy " << accuracy << "\n";
  return accuracy > 0.95 ? 0 : 1;
}
