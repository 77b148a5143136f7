"""PyTorch's side of glassnet's parity tests (tests/parity/parity_test.cpp).

    torch_reference.py steps CASE_DIR ...   a few optimizer steps, tensor by tensor
    torch_reference.py fit CASE_DIR ...     several epochs, loss and accuracy per epoch

Each CASE_DIR holds what glassnet wrote: model.safetensors (a glassnet model file, the
initial weights), case.json (loss, optimizer, steps or epochs) and the data
(batches.safetensors or data.safetensors). The results go to torch.safetensors (steps)
or torch.json and torch_predictions.safetensors (fit) in the same directory.
"""

import json
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from glassnet_torch import GlassnetNetwork, load_model, load_state, read_safetensors, write_safetensors  # noqa: E402


def loss_function(name):
    return {"bce": nn.BCEWithLogitsLoss(), "cross_entropy": nn.CrossEntropyLoss(), "mse": nn.MSELoss()}[name]


def targets(name, y):
    y = torch.from_numpy(y)
    return y[:, 0].long() if name == "cross_entropy" else y


def optimizer(model, spec):
    """torch.optim as glassnet configures it: weight decay on the Linear weights only."""
    decayed, other = [], []
    for module in model.modules():
        for name, parameter in module.named_parameters(recurse=False):
            (decayed if isinstance(module, nn.Linear) and name == "weight" else other).append(parameter)
    groups = [{"params": decayed, "weight_decay": spec.get("weight_decay", 0.0)}, {"params": other, "weight_decay": 0.0}]
    name, lr = spec["name"], spec["lr"]
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=spec.get("momentum", 0.0), dampening=spec.get("dampening", 0.0),
                               nesterov=spec.get("nesterov", False))
    if name in ("adam", "adamw"):
        kind = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        return kind(groups, lr=lr, betas=(spec.get("beta1", 0.9), spec.get("beta2", 0.999)), eps=spec.get("eps", 1e-8))
    if name == "rmsprop":
        return torch.optim.RMSprop(groups, lr=lr, alpha=spec.get("alpha", 0.99), eps=spec.get("eps", 1e-8),
                                   momentum=spec.get("momentum", 0.0), centered=spec.get("centered", False))
    raise ValueError(f"unknown optimizer {name!r}")


def read_case(directory):
    with open(os.path.join(directory, "case.json")) as f:
        case = json.load(f)
    tensors, metadata = read_safetensors(os.path.join(directory, "model.safetensors"))
    model = GlassnetNetwork(json.loads(metadata["architecture"]))
    load_state(model, tensors)
    return case, model


def run_steps(directory):
    case, model = read_case(directory)
    for name, parameter in model.named_parameters():
        if name in case.get("frozen", []):
            parameter.requires_grad_(False)
    batches, _ = read_safetensors(os.path.join(directory, "batches.safetensors"))
    criterion = loss_function(case["loss"])
    opt = optimizer(model, case["optimizer"])
    out = {}
    model.train()
    for step in range(case["steps"]):
        x, y = torch.from_numpy(batches[f"x{step}"]), targets(case["loss"], batches[f"y{step}"])
        opt.zero_grad()
        logits = model(x)
        loss = criterion(logits, y)
        loss.backward()
        if step == 0:
            out["logits"] = logits.detach().numpy()
            out["loss"] = np.array([loss.item()], dtype=np.float32)
            for name, parameter in model.named_parameters():
                if parameter.requires_grad:
                    out[f"grad.{name}"] = parameter.grad.numpy().copy()
        opt.step()
    for name, value in model.state_dict().items():
        if not name.endswith("num_batches_tracked"):
            out[f"final.{name}"] = value.numpy()
    model.eval()
    with torch.no_grad():
        out["eval_logits"] = model(torch.from_numpy(batches["x_eval"])).numpy()
    write_safetensors(os.path.join(directory, "torch.safetensors"), out)


def accuracy(name, logits, y):
    if name == "cross_entropy":
        return float((logits.argmax(dim=1) == y).float().mean())
    return float(((logits[:, 0] > 0).float() == y[:, 0]).float().mean())


def run_fit(directory):
    case, model = read_case(directory)
    data, _ = read_safetensors(os.path.join(directory, "data.safetensors"))
    criterion = loss_function(case["loss"])
    opt = optimizer(model, case["optimizer"])
    x, y = torch.from_numpy(data["x_train"]), targets(case["loss"], data["y_train"])
    x_test, y_test = torch.from_numpy(data["x_test"]), targets(case["loss"], data["y_test"])
    batch, rows = case["batch_size"], x.shape[0]
    epochs = []
    for _ in range(case["epochs"]):
        model.train()
        total = 0.0
        for begin in range(0, rows, batch):
            opt.zero_grad()
            loss = criterion(model(x[begin : begin + batch]), y[begin : begin + batch])
            loss.backward()
            opt.step()
            total += loss.item() * min(batch, rows - begin)
        model.eval()
        with torch.no_grad():
            epochs.append({"train_loss": total / rows, "test_accuracy": accuracy(case["loss"], model(x_test), y_test)})
    with open(os.path.join(directory, "torch.json"), "w") as f:
        json.dump({"epochs": epochs}, f)
    # glassnet's trained model, read back through its file, on the test rows.
    trained, _ = load_model(os.path.join(directory, "trained.safetensors"))
    with torch.no_grad():
        predictions = trained.predict(x_test).numpy()
    write_safetensors(os.path.join(directory, "torch_predictions.safetensors"), {"predictions": predictions})


def main(argv):
    if len(argv) < 3 or argv[1] not in ("steps", "fit"):
        sys.exit(__doc__)
    torch.set_num_threads(1)
    run = run_steps if argv[1] == "steps" else run_fit
    for directory in argv[2:]:
        run(directory)


if __name__ == "__main__":
    main(sys.argv)
