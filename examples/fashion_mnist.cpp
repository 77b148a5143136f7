// Fashion-MNIST through the C++ API: 784 → 256 → 128 → 10 (ReLU), Adam lr 1e-3, batch
// 128, 10 epochs (about 88 % test accuracy), then the test accuracy.
//   fashion_mnist [DIR [EPOCHS]]   DIR: the IDX files (default: Debian's
//                                  dataset-fashion-mnist, /usr/share/datasets/fashion-mnist)
// Exits 1 with a message when the files cannot be read.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "glassnet/core/error.hpp"
#include "glassnet/data/idx.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"
#include "glassnet/nn/network.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/train/trainer.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using namespace glassnet;
  const fs::path dir = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
  const Index epochs = argc > 2 ? std::stol(argv[2]) : 10;
  try {
    // x:[60000, 784] pixels in [0, 1]; y:[60000, 1] class indices.
    const Dataset train = read_idx(dir / "train-images-idx3-ubyte.gz", dir / "train-labels-idx1-ubyte.gz");
    const Dataset test = read_idx(dir / "t10k-images-idx3-ubyte.gz", dir / "t10k-labels-idx1-ubyte.gz");

    Rng rng(1);
    auto network = make_network(
        {.in_features = 784, .hidden = {256, 128}, .out_features = 10, .output = OutputTransform::softmax}, rng);
    const SoftmaxCrossEntropy loss;
    Adam adam(1e-3);
    Trainer trainer(*network, loss, adam);
    const DataView test_view{test.x, test.y};
    for (const EpochLogs& e : trainer.fit({train.x, train.y}, {.epochs = epochs, .batch_size = 128, .seed = 1})) {
      std::cout << "epoch " << e.epoch << "  loss " << e.train_loss << "  " << e.seconds << " s\n";
    }
    const Trainer::Evaluation result = trainer.evaluate_with_accuracy(test_view);
    std::cout << "test accuracy " << *result.accuracy << " (loss " << result.loss << ")\n";
    return EXIT_SUCCESS;
  } catch (const Error& e) {
    std::cerr << "fashion_mnist: " << e.what() << "\n";
    return EXIT_FAILURE;
  }
}
