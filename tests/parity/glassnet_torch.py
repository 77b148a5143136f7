"""A glassnet model file as the equivalent torch.nn module, and safetensors with numpy.

    model, metadata = load_model("fraud.safetensors")   # torch.nn.Module, eval mode
    logits = model(torch.from_numpy(x))                  # x already preprocessed

The network is built from the file's `architecture` metadata with the rules of
glassnet's NetworkSpec (src/glassnet/nn/network.hpp): each hidden layer is Linear, then
BatchNorm1d or LayerNorm, then the activation, then Dropout; with `residual`, a hidden
layer as wide as its input is a block x + body(x); a last Linear gives the logits. The
module holds them as `layers`, so its state_dict names are the file's tensor names.
Only the Python standard library, numpy and torch are used.
"""

import json
import struct

import numpy as np
import torch
from torch import nn

_DTYPES = {"F32": np.float32, "F64": np.float64}
_NAMES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64"}


def read_safetensors(path):
    """Returns ({name: numpy array}, {metadata key: string})."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    metadata = header.pop("__metadata__", {})
    body = data[8 + length :]
    tensors = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        dtype = np.dtype(_DTYPES[t["dtype"]]).newbyteorder("<")
        tensors[name] = np.frombuffer(body[begin:end], dtype=dtype).reshape(t["shape"]).copy()
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: numpy array of float32 or float64} in the order given."""
    header, chunks, offset = {}, [], 0
    for name, array in tensors.items():
        array = np.ascontiguousarray(array)
        raw = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _NAMES[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


class Residual(nn.Module):
    """y = x + body(x)."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return x + self.body(x)


def _activation(name, leaky_slope):
    table = {
        "identity": lambda: nn.Identity(),
        "sigmoid": lambda: nn.Sigmoid(),
        "tanh": lambda: nn.Tanh(),
        "relu": lambda: nn.ReLU(),
        "leaky-relu": lambda: nn.LeakyReLU(leaky_slope),
        "gelu": lambda: nn.GELU(),
        "gelu-tanh": lambda: nn.GELU(approximate="tanh"),
    }
    if name not in table:
        raise ValueError(f"unknown activation {name!r}")
    return table[name]()


class GlassnetNetwork(nn.Module):
    """The network of an `architecture` metadata object; logits out."""

    def __init__(self, architecture):
        super().__init__()
        layers, features = [], architecture["in_features"]
        for width in architecture["hidden"]:
            block = [nn.Linear(features, width)]
            if architecture["norm"] == "batch":
                block.append(nn.BatchNorm1d(width, eps=1e-5, momentum=0.1))
            elif architecture["norm"] == "layer":
                block.append(nn.LayerNorm(width, eps=1e-5))
            block.append(_activation(architecture["activation"], architecture["leaky_slope"]))
            if architecture["dropout"] > 0:
                block.append(nn.Dropout(architecture["dropout"]))
            if architecture["residual"] and width == features:
                layers.append(Residual(nn.Sequential(*block)))
            else:
                layers.extend(block)
            features = width
        layers.append(nn.Linear(features, architecture["out_features"]))
        self.layers = nn.Sequential(*layers)
        self.output = architecture["output"]

    def forward(self, x):
        return self.layers(x)

    def predict(self, x):
        """Predictions as glassnet predict gives them: probabilities or values."""
        logits = self.forward(x)
        if self.output == "sigmoid":
            return torch.sigmoid(logits)
        if self.output == "softmax":
            return torch.softmax(logits, dim=1)
        return logits


def load_state(model, tensors):
    """Copies the file's tensors into the model; every name must match both ways."""
    state = {name: torch.from_numpy(array) for name, array in tensors.items()}
    expected = model.state_dict()
    # PyTorch counts BatchNorm's batches in a buffer of its own; glassnet has none.
    for name in expected:
        if name.endswith("num_batches_tracked"):
            state[name] = expected[name]
    model.load_state_dict(state, strict=True)


def load_model(path, dtype=torch.float32):
    """A glassnet model file as a GlassnetNetwork in evaluation mode, and its metadata."""
    tensors, metadata = read_safetensors(path)
    architecture = json.loads(metadata["architecture"])
    model = GlassnetNetwork(architecture).to(dtype)
    load_state(model, tensors)
    model.eval()
    return model, metadata
