"""Tests of the Python module (run by `make test` through ctest: PYTHONPATH holds the
built module, GLASSNET_CLI the command-line executable)."""

import csv
import json
import os
import signal
import struct
import subprocess
import threading
import time

import numpy as np
import pytest

import glassnet

CLI = os.environ.get("GLASSNET_CLI", "glassnet")


def cli(*args):
    return subprocess.run([CLI, *map(str, args)], check=True, capture_output=True, text=True).stdout


def moons_csv(path, rows=800, seed=1):
    cli("synth", "moons", "--rows", rows, "--seed", seed, "--out", path)
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def tensors(path):
    """A safetensors file's tensors, with numpy only."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    body = raw[8 + n :]
    return {
        name: np.frombuffer(body[t["data_offsets"][0] : t["data_offsets"][1]], dtype="<f4").reshape(t["shape"])
        for name, t in header.items()
    }


@pytest.fixture
def moons(tmp_path):
    return moons_csv(tmp_path / "moons.csv")


def test_fit_predict_and_evaluate_a_binary_task(moons):
    X, y = moons
    model = glassnet.fit(X, y, layers=[32, 32], epochs=30, lr=0.01, seed=1)
    assert model.task == "binary"
    assert model.inputs == ["x0", "x1"]
    predicted = model.predict(X)
    assert predicted.shape == (len(X),)
    assert set(np.unique(predicted)) <= {0.0, 1.0}
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 1) and np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_array_equal(predicted, (proba[:, 0] >= 0.5).astype(float))
    metrics = model.evaluate(X, y)
    assert metrics["accuracy"] > 0.95
    assert metrics["accuracy"] == pytest.approx(np.mean(predicted == y))
    # The confusion matrix [truth, predicted] and the curves, as eval --json has them.
    confusion = metrics["confusion_matrix"]
    assert confusion.shape == (2, 2) and confusion.sum() == len(y)
    assert confusion[1, 1] == np.sum((predicted == 1) & (y == 1))
    assert metrics["roc_curve"]["fpr"][-1] == 1.0 and metrics["roc_curve"]["tpr"][-1] == 1.0
    assert len(metrics["pr_curve"]["recall"]) == len(metrics["pr_curve"]["precision"])
    assert model.metrics["train"]["confusion_matrix"].sum() > 0


def test_multiclass_probabilities_sum_to_one():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(600, 5))
    y = np.argmax(X[:, :3], axis=1).astype(float)
    model = glassnet.fit(X, y, layers=[32], epochs=20, seed=2)
    assert model.task == "multiclass"
    # The classes come as predict gives its labels: numbers here (they were text).
    assert model.classes.dtype == np.float64 and list(model.classes) == [0.0, 1.0, 2.0]
    assert np.isin(model.predict(X), model.classes).all()
    proba = model.predict_proba(X)
    assert proba.shape == (600, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert model.evaluate(X, y)["accuracy"] > 0.8


def test_the_run_is_kept_history_metrics_and_monitor_as_numpy(moons):
    X, y = moons
    model = glassnet.fit(X, y, layers=[16, 16], epochs=5, batch_size=32, early_stopping=0, seed=1)
    assert [e["epoch"] for e in model.history] == [1, 2, 3, 4, 5]
    assert set(model.metrics) == {"train", "val"}
    monitor = model.monitor
    steps = len(monitor["loss"])
    assert steps == 5 * int(np.ceil(len(X) * 0.8 / 32))
    assert monitor["params"] == ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                                 "layers.4.weight", "layers.4.bias"]
    assert monitor["param_grad_norm"].shape == (steps, 6)
    assert monitor["param_grad_norm"].dtype == np.float32
    assert np.all(np.isfinite(monitor["grad_norm"])) and np.all(monitor["learning_rate"] == 1e-3)


def test_doctor_finds_vanishing_gradients_in_a_deep_sigmoid_network(moons):
    X, y = moons
    model = glassnet.fit(X, y, layers=[32] * 12, activation="sigmoid", optimizer="sgd", lr=0.05, epochs=8, seed=1)
    findings = model.doctor()
    assert all(isinstance(f, glassnet.Finding) for f in findings)
    vanishing = [f for f in findings if f.symptom == "vanishing_gradients" or
                 any(link.symptom == "vanishing_gradients" for link in f.chain)]
    assert vanishing, findings
    finding = vanishing[0]
    assert finding.severity in ("warning", "error") and finding.evidence and finding.fixes
    # The fixes are fit's keywords, not the command line's options.
    assert finding.fixes[0] == 'activation="relu", init="he"', finding.fixes
    # Every link of a chain says where and when, as a finding does.
    links = [link for f in findings for link in f.chain]
    assert links, findings
    for link in links:
        assert 0 <= link.first_step <= link.last_step and link.evidence


def test_fixes_read_as_keywords(moons):
    X, y = moons
    X = X.copy()
    X[:, 1] *= 1000
    findings = glassnet.fit(X, y, no_standardize=True, layers=[256, 256], epochs=3, quiet=True).doctor()
    fixes = {fix for f in findings for fix in f.fixes}
    assert {"no_standardize=False", 'norm="batch"', "lr=0.0001", "smaller layers="} <= fixes, fixes
    assert not any("--" in fix for fix in fixes), fixes


def test_a_row_number_column_is_found_and_ignore_leaves_it_out(moons):
    X, y = moons
    X = np.c_[np.arange(len(y), dtype=np.float64), X]  # x0 counts the rows
    findings = glassnet.fit(X, y, epochs=2, quiet=True).doctor()
    row_number = [f for f in findings if f.symptom == "row_number"]
    assert row_number and row_number[0].fixes == ['ignore="x0"'], findings
    assert "'x0' is 0, 1, 2" in row_number[0].evidence[0]
    ignored = glassnet.fit(X, y, epochs=2, quiet=True, ignore="x0")
    assert not any(f.symptom == "row_number" for f in ignored.doctor())


def test_errors_are_python_exceptions_with_the_command_line_messages(moons, tmp_path):
    X, y = moons
    with pytest.raises(glassnet.Error, match=r"--activation: bogus not in"):
        glassnet.fit(X, y, activation="bogus")
    with pytest.raises(glassnet.Error, match=r"y: expected 800 targets \(one per row of X\), got 5"):
        glassnet.fit(X, y[:5])
    model = glassnet.fit(X, y, epochs=1)
    with pytest.raises(glassnet.Error, match=r"X: expected 2 features \(columns\), got 3"):
        model.predict(np.zeros((4, 3)))
    with pytest.raises(glassnet.Error, match=r"no-such-file"):
        glassnet.load(str(tmp_path / "no-such-file.safetensors"))
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a model")
    with pytest.raises(glassnet.Error, match="bad.safetensors"):
        glassnet.load(str(bad))
    with pytest.raises(glassnet.Error, match="loaded from a file"):
        glassnet.load(str(_saved(model, tmp_path))).doctor()
    # An infinity is refused as a NaN is, as in a CSV file (it predicted 0 with probability nan).
    with pytest.raises(glassnet.Error, match=r"missing or infinite values; column 'x0': 1 \(record 1\)"):
        model.predict(np.array([[np.inf, 0.0]]))
    # An array's rows are records, not lines of a file.
    with pytest.raises(glassnet.Error, match=r"column 'x1': 2 \(records 2, 4\)"):
        glassnet.fit(np.array([[0.0, 1], [1, np.nan], [0, 1], [1, np.nan]]), np.array([0, 1, 0, 1]))
    # auto_repair is one of train's options (it was refused as unknown): SGD at lr 200
    # fails without it and is repaired with it.
    with pytest.raises(glassnet.TrainingError):
        glassnet.fit(X, y, epochs=8, optimizer="sgd", lr=200, quiet=True)
    repaired = glassnet.fit(X, y, epochs=8, optimizer="sgd", lr=200, quiet=True, auto_repair=True)
    assert repaired.evaluate(X, y)["accuracy"] > 0.8
    # True belongs to flags: log=True took the next option as the log's name.
    with pytest.raises(glassnet.Error, match=r"log=True: --log takes a value, not True"):
        glassnet.fit(X, y, epochs=1, log=True, quiet=True)
    # False leaves an option out, as the docs say (it was refused for options of a value).
    assert len(glassnet.fit(X, y, epochs=1, log=False, quiet=True).history) == 1
    # A flag takes a bool (CLI11: "The following argument was not expected: 1").
    with pytest.raises(glassnet.Error, match=r"auto_repair=1: a flag; expected True or False"):
        glassnet.fit(X, y, epochs=1, auto_repair=1)


def test_options_from_a_config_file_and_a_report(moons, tmp_path):
    X, y = moons
    config = tmp_path / "run.toml"
    config.write_text("epochs = 5\nlayers = [8]\nseed = 3\n")
    model = glassnet.fit(X, y, config=str(config), epochs=2, report=str(tmp_path / "run.html"))
    assert len(model.history) == 2, "the keyword overrides the file"
    assert [w.shape for w in model.weights.values()][0] == (8, 2), "the file's layers (it was ignored)"
    html = (tmp_path / "run.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and 'id="gradients"' in html
    # What X and y hold is not an option: refused, in the keywords and in the file.
    for key in ("data", "labels", "target", "help"):
        with pytest.raises(glassnet.Error, match=key + "=: not an option of fit"):
            glassnet.fit(X, y, epochs=1, **{key: "x0"})
    # A key that is no option: named as train's (it read "of glassnet  (did you mean").
    config.write_text("epoch = 2\n")
    with pytest.raises(glassnet.Error, match=r"'epoch' is not an option of glassnet train \(did you mean epochs\?\)"):
        glassnet.fit(X, y, config=str(config))
    config.write_text("epochs = 2\ntarget = 'x0'\n")
    with pytest.raises(glassnet.Error, match=r"run.toml:2:10: 'target' is not an option of fit"):
        glassnet.fit(X, y, config=str(config))


def test_a_regression_model_has_no_probabilities(moons):
    X, _ = moons
    model = glassnet.fit(X[:, :1], X[:, 1], epochs=2, task="regression")
    assert model.predict(X[:, :1]).shape == (len(X),)
    with pytest.raises(glassnet.Error, match="a regression model has no probabilities"):
        model.predict_proba(X[:, :1])


def test_ctrl_c_stops_fit_and_returns_the_run_so_far():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20000, 32))
    y = (X[:, 0] > 0).astype(float)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.warns(RuntimeWarning, match=r"interrupted \(Ctrl-C\) after \d+ complete epochs?"):
        model = glassnet.fit(X, y, layers=[256, 256], epochs=1000, quiet=True)
    timer.join()
    assert len(model.history) < 1000
    assert model.predict(X[:5]).shape == (5,)
    # Python's own handler is back once fit has returned.
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)


def _saved(model, tmp_path):
    path = tmp_path / "saved.safetensors"
    model.save(str(path))
    return path


def test_models_round_trip_with_the_command_line(moons, tmp_path):
    X, y = moons
    data = tmp_path / "moons.csv"
    # The command line trains; Python loads its file and predicts what `glassnet predict` does.
    cli("train", "--data", data, "--layers", "16,16", "--epochs", 10, "--out", tmp_path / "cli.safetensors", "--quiet")
    from_cli = glassnet.load(str(tmp_path / "cli.safetensors"))
    cli("predict", "--model", tmp_path / "cli.safetensors", "--data", data, "--proba", "--out", tmp_path / "p.csv")
    with open(tmp_path / "p.csv") as f:
        rows = list(csv.DictReader(f))
    np.testing.assert_allclose(from_cli.predict_proba(X)[:, 0], [float(r["p_1"]) for r in rows], rtol=1e-5)
    # Python trains and saves; the command line reads the file.
    model = glassnet.fit(X, y, layers=[16], epochs=5)
    path = _saved(model, tmp_path)
    cli("predict", "--model", path, "--data", data, "--out", tmp_path / "q.csv")
    with open(tmp_path / "q.csv") as f:
        labels = [float(r["prediction"]) for r in csv.DictReader(f)]
    np.testing.assert_array_equal(model.predict(X), labels)
    again = glassnet.load(str(path))
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))


def test_a_run_from_python_gives_the_weights_of_the_same_run_from_the_command_line(moons, tmp_path):
    X, y = moons
    options = {"layers": [32, 16], "epochs": 6, "batch_size": 32, "optimizer": "momentum", "lr": 0.05, "seed": 7,
               "norm": "batch", "threads": 1}
    words = []
    for key, value in options.items():
        words += ["--" + key.replace("_", "-"), ",".join(map(str, value)) if isinstance(value, list) else str(value)]
    cli("train", "--data", tmp_path / "moons.csv", *words, "--out", tmp_path / "cli.safetensors", "--quiet")
    model = glassnet.fit(X, y, **options, out=str(tmp_path / "python.safetensors"))
    ours, theirs = tensors(tmp_path / "python.safetensors"), tensors(tmp_path / "cli.safetensors")
    assert ours.keys() == theirs.keys()
    for name in ours:
        np.testing.assert_array_equal(ours[name], theirs[name], err_msg=name)
        # model.weights holds the file's tensors, in their shapes (a bias is [out], not [1, out]).
        np.testing.assert_array_equal(model.weights[name], ours[name], err_msg=name)


def test_text_labels_train_predict_and_evaluate_as_text():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    model = glassnet.fit(X, y, epochs=10, seed=1)
    assert model.classes.dtype.kind == "U" and list(model.classes) == ["no", "yes"]
    predicted = model.predict(X)
    assert predicted.dtype.kind == "U" and set(predicted) <= {"no", "yes"}
    assert model.predict(X[:0]).dtype.kind == "U", "no rows: still text (it was float64)"
    accuracy = model.evaluate(X, y)["accuracy"]
    assert accuracy == pytest.approx(np.mean(predicted == y)) and accuracy > 0.9
    assert model.evaluate(X, list(y))["accuracy"] == accuracy
    assert model.evaluate(X, y.astype("S"))["accuracy"] == accuracy
    # Text that reads as numbers stays text: the labels come back as y had them.
    digits = glassnet.fit(X, np.where(X[:, 0] > 0, "1", "2"), epochs=2)
    assert digits.predict(X[:3]).dtype.kind == "U"
    with pytest.raises(glassnet.Error, match="y: bytes that are not ASCII text"):
        glassnet.fit(X[:2], np.array([b"\xff", b"a"]))
    with pytest.raises(glassnet.Error, match="X: expected numbers, got <U1 values"):
        glassnet.fit(np.array([["a", "b"]] * 10), y[:10])
    with pytest.raises(glassnet.Error, match="y: text and other values; expected class labels, every one a str"):
        glassnet.fit(X[:4], np.array([1, "a", 2, "b"], dtype=object))
    # ... and so is a list of the same (numpy made it text: ['1', 'a', ...]).
    with pytest.raises(glassnet.Error, match="y: text and other values"):
        glassnet.fit(X[:4], [1, "a", 2, "b"])
    # None is a missing label, named as one.
    with pytest.raises(glassnet.Error, match=r"^y: record 2: the target column 'y' has a missing value"):
        glassnet.fit(X[:4], ["yes", None, "no", "yes"])
    # Numbers as text, and dates, are not numbers (numpy converted them, and they trained).
    with pytest.raises(glassnet.Error, match="X: expected numbers, got <U"):
        glassnet.fit(X.astype(str), y)
    with pytest.raises(glassnet.Error, match=r"X: expected numbers, got datetime64\[s\] values"):
        glassnet.fit(np.zeros((300, 3), dtype="datetime64[s]"), y)
    with pytest.raises(glassnet.Error, match=r"y: expected numbers, got datetime64\[D\] values"):
        glassnet.fit(X, np.arange(300).astype("datetime64[D]"))
    # A bad label is named in y, where it is, not in X.
    with pytest.raises(glassnet.Error, match=r"^y: record 3: the target column 'y' has a missing value"):
        glassnet.fit(X[:4], np.array(["yes", "no", "", "yes"]))
    with pytest.raises(glassnet.Error, match=r"^y: record 2: the label 'maybe' was not seen in training"):
        model.evaluate(X[:2], np.array(["yes", "maybe"]))
    with pytest.raises(glassnet.Error, match=r"^y: the target column 'y' is constant \('yes'\)"):
        glassnet.fit(X[:4], np.array(["yes"] * 4))


def _mixed_columns(rows=600, seed=0):
    """Named columns of numbers and text, and labels that depend on both."""
    rng = np.random.default_rng(seed)
    amount = np.round(rng.lognormal(3, 1, rows), 2)
    country = rng.choice(["FR", "DE", "NG", "US"], rows)
    channel = rng.choice(["web", "store"], rows)
    y = np.where((country == "NG") | (amount > 60), "fraud", "ok")
    return {"amount": amount, "country": country, "channel": list(channel)}, y


def test_named_columns_with_text_train_predict_and_evaluate():
    X, y = _mixed_columns()
    model = glassnet.fit(X, y, epochs=10, seed=1)
    assert model.evaluate(X, y)["accuracy"] > 0.95
    # Found by name: another order, and a column the model does not read, change nothing.
    other_order = {"channel": X["channel"], "extra": np.zeros(600), "country": X["country"], "amount": X["amount"]}
    np.testing.assert_array_equal(model.predict_proba(other_order), model.predict_proba(X))
    assert list(model.predict({name: values[:3] for name, values in X.items()})) == list(model.predict(X)[:3])
    with pytest.raises(glassnet.Error, match=r"^X: the feature column 'country' is missing"):
        model.predict({"amount": X["amount"], "channel": X["channel"]})
    with pytest.raises(glassnet.Error, match=r"the model's input 'country' is a text column; .*pass X as named columns"):
        model.predict(np.zeros((3, 3)))
    # None and NaN are missing values in text, refused unless imputed.
    gaps = dict(X, country=[None if i == 3 else c for i, c in enumerate(X["country"])])
    gaps["channel"] = [np.nan if i == 7 else c for i, c in enumerate(X["channel"])]
    with pytest.raises(glassnet.Error, match=r"column 'country': 1 \(record 4\); column 'channel': 1 \(record 8\)"):
        glassnet.fit(gaps, y, epochs=1)
    filled = glassnet.fit(gaps, y, epochs=1, impute="most-frequent")
    assert filled.predict(gaps).shape == (600,)
    # A model of numeric named columns takes an array too, its columns in the model's order.
    numeric = glassnet.fit({"b": X["amount"], "a": -X["amount"]}, y, epochs=2)
    np.testing.assert_array_equal(
        numeric.predict_proba(np.column_stack([X["amount"], -X["amount"]])),
        numeric.predict_proba({"a": -X["amount"], "b": X["amount"]}),
    )
    bad = [
        ({"a": [1.0, 2.0], "b": [1.0]}, r"^X\['b'\]: 1 value, where X\['a'\] has 2"),
        ({1: [1.0, 2.0]}, r"^X: a column named 1; column names are str"),
        ({}, r"^X: no columns"),
        ({"a": ["x", 1]}, r"^X\['a'\]: text and other values; expected a column of numbers, or of text \(str\)"),
        ({"y": [1.0, 2.0]}, r"^X: a column named 'y', the name fit gives the target"),
        ({"a": np.zeros((2, 2))}, r"^X\['a'\]: expected a column \(1-D\), got 2 dimensions"),
        ({"a": np.array([["p", "q"], ["r", "s"]])}, r"^X\['a'\]: expected a column \(1-D\), got 2 dimensions"),
        ({"a": np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]")},
         r"^X\['a'\]: expected numbers, got datetime64\[D\] values \(a column holds numbers or text\)"),
    ]
    for columns, message in bad:
        with pytest.raises(glassnet.Error, match=message):
            glassnet.fit(columns, [0, 1], epochs=1)
    with pytest.raises(glassnet.Error, match=r"^X: a column named 'y', the model's target: y holds it"):
        model.evaluate(dict(X, y=y), y)


def test_a_column_of_dates_is_found_and_ignore_leaves_it_out():
    X, y = _mixed_columns()
    X["day"] = [f"2024-05-{1 + i % 28:02}" for i in range(600)]
    findings = glassnet.fit(X, y, epochs=2).doctor()
    dates = [f for f in findings if f.symptom == "date_column"]
    assert dates and dates[0].fixes == ['ignore="day"'], findings
    assert "'day' holds 28 different dates or times in the training rows" in dates[0].evidence[0]
    assert not any(f.symptom == "date_column" for f in glassnet.fit(X, y, epochs=2, ignore="day").doctor())


def test_text_columns_read_as_text_whatever_holds_them():
    # A numpy str array is read from its data (UCS-4), a bytes array as ASCII, lists and
    # object arrays item by item: the same text gives the same model.
    rng = np.random.default_rng(1)
    words = np.array(["café", "naïve", "日本", "🙂 smile", "plain"])
    text = rng.choice(words, 400)
    amount = rng.normal(size=400)
    y = np.where((text == "日本") | (amount > 1), 1.0, 0.0)
    options = {"epochs": 3, "seed": 2, "layers": [8]}
    reference = glassnet.fit({"amount": amount, "word": list(text)}, y, **options)
    assert set(reference.inputs) == {"amount"} | {"word=" + w for w in words}
    for given in (text, np.array(text, dtype=object), tuple(text), np.repeat(text.astype("U40"), 2)[::2]):
        model = glassnet.fit({"amount": amount, "word": given}, y, **options)
        for name, weights in model.weights.items():
            np.testing.assert_array_equal(weights, reference.weights[name], err_msg=f"{type(given)}: {name}")
    ascii_words = rng.choice(["north", "south"], 400)
    from_bytes = glassnet.fit({"amount": amount, "word": ascii_words.astype("S")}, y, **options)
    assert list(from_bytes.inputs) == list(glassnet.fit({"amount": amount, "word": ascii_words}, y, **options).inputs)
    with pytest.raises(glassnet.Error, match=r"^X\['word'\]: bytes that are not ASCII text; pass them as str"):
        glassnet.fit({"word": np.array([b"\xff", b"a"])}, [0, 1])
    with pytest.raises(glassnet.Error, match=r"^X\['word'\]: record 2: text that is not Unicode \(a lone surrogate\)"):
        glassnet.fit({"word": np.array(["a", "\ud800"])}, [0, 1])
    with pytest.raises(glassnet.Error, match=r"^X\['word'\]: record 1: text that is not Unicode"):
        glassnet.fit({"word": ["\ud800", "a"]}, [0, 1])


def test_named_columns_train_as_the_same_csv_file_does(tmp_path):
    X, y = _mixed_columns()
    data = tmp_path / "mixed.csv"
    with open(data, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*X, "y"])
        for i in range(len(y)):
            writer.writerow([repr(float(X["amount"][i])), X["country"][i], X["channel"][i], y[i]])
    options = ["--layers", "16,8", "--epochs", "6", "--seed", "7", "--threads", "1"]
    cli("train", "--data", data, *options, "--out", tmp_path / "cli.safetensors", "--quiet")
    model = glassnet.fit(X, y, layers=[16, 8], epochs=6, seed=7, threads=1, out=str(tmp_path / "python.safetensors"))
    ours, theirs = tensors(tmp_path / "python.safetensors"), tensors(tmp_path / "cli.safetensors")
    assert ours.keys() == theirs.keys()
    for name in ours:
        np.testing.assert_array_equal(ours[name], theirs[name], err_msg=name)
    # The command line's model predicts from named columns what `glassnet predict` does from the file.
    cli("predict", "--model", tmp_path / "cli.safetensors", "--data", data, "--proba", "--out", tmp_path / "p.csv")
    with open(tmp_path / "p.csv") as f:
        rows = list(csv.DictReader(f))
    from_cli = glassnet.load(str(tmp_path / "cli.safetensors"))
    np.testing.assert_allclose(from_cli.predict_proba(X)[:, 0], [float(r["p_ok"]) for r in rows], rtol=1e-5)
    assert list(from_cli.predict(X)) == [r["prediction"] for r in rows]


def test_a_pandas_data_frame_is_named_columns():
    import pandas as pd  # (installed for the tests: scripts/install-deps.sh)

    X, y = _mixed_columns()
    frame = pd.DataFrame(X)
    frame.loc[5, "country"] = None
    frame.loc[9, "amount"] = np.nan
    options = {"epochs": 4, "seed": 3, "impute": "median"}
    from_frame = glassnet.fit(frame, pd.Series(y), **options)
    columns = {name: list(frame[name]) if name != "amount" else frame[name].to_numpy() for name in frame}
    from_dict = glassnet.fit(columns, y, **options)
    for name, weights in from_frame.weights.items():
        np.testing.assert_array_equal(weights, from_dict.weights[name], err_msg=name)
    # A categorical column is its categories' text.
    frame["channel"] = frame["channel"].astype("category")
    np.testing.assert_array_equal(from_frame.predict_proba(frame), from_dict.predict_proba(columns))
    # y may name one of the frame's columns: the target, the rest the features.
    frame["label"] = y
    named = glassnet.fit(frame, "label", **options)
    for name, weights in from_frame.weights.items():
        np.testing.assert_array_equal(weights, named.weights[name], err_msg=name)
    for metric in ("accuracy", "f1", "roc_auc", "log_loss"):
        assert named.evaluate(frame, "label")[metric] == from_frame.evaluate(frame.drop(columns="label"), y)[metric]
    assert named.evaluate(frame.rename(columns={"label": "truth"}), "truth")["accuracy"] == pytest.approx(
        named.evaluate(frame, "label")["accuracy"]
    )
    np.testing.assert_array_equal(named.predict(frame), from_frame.predict(frame))
    with pytest.raises(glassnet.Error, match=r"^X: no column 'nope' for the target \(y\) \(columns: amount, "):
        glassnet.fit(frame, "nope")
    with pytest.raises(glassnet.Error, match=r"^X: a column named 'label', the model's target, besides y's 'truth'"):
        named.evaluate(frame.assign(truth=y), "truth")


def test_labels_that_read_as_numbers_only_as_text_come_back_as_text(tmp_path):
    # "0x10" and "16" are two classes; read as numbers (hexadecimal) they would be one.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = np.where(X[:, 0] > 0.5, "0x10", np.where(X[:, 0] > -0.5, "16", "0x20"))
    model = glassnet.fit(X, y, epochs=10)
    assert list(model.classes) == ["0x10", "0x20", "16"]
    assert set(model.predict(X)) <= {"0x10", "16", "0x20"}


def test_integer_labels_beyond_float64s_integers_are_refused():
    X = np.random.default_rng(0).normal(size=(200, 2))
    # 10**17 + 1 and 10**17 + 3 are one float64: the target read as "constant" ('1e+17').
    with pytest.raises(glassnet.Error, match=r"y: the integer 100000000000000003 is beyond ±2\^53"):
        glassnet.fit(X, np.where(X[:, 0] > 0, 10**17 + 1, 10**17 + 3))
    with pytest.raises(glassnet.Error, match=r"y: the integer -9007199254740993 is beyond ±2\^53"):
        glassnet.fit(X, np.where(X[:, 0] > 0, -(2**53) - 1, 7))
    assert glassnet.fit(X, np.where(X[:, 0] > 0, 2**53, 7), epochs=1).task == "binary"
    # int64's least value: its abs() overflows, and it passed.
    with pytest.raises(glassnet.Error, match=r"y: the integer -9223372036854775808 is beyond ±2\^53"):
        glassnet.fit(X, np.where(X[:, 0] > 0, np.int64(-(2**63)), np.int64(7)))


def test_minus_zero_and_zero_are_one_class():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = np.where(X[:, 0] > 0, 1.0, np.where(X[:, 1] > 0, -0.0, 0.0))
    assert np.signbit(y).any()
    model = glassnet.fit(X, y, epochs=3)
    assert list(model.classes) == [0.0, 1.0]
    assert model.evaluate(X, np.abs(y))["accuracy"] == model.evaluate(X, y)["accuracy"]
    assert model.predict(X[:3]).dtype == np.float64  # numeric labels come back as numbers


def _fit_in_a_child(seed):
    X = np.random.default_rng(seed).normal(size=(200, 3))
    return glassnet.fit(X, (X[:, 0] > 0) * 1.0, epochs=3, seed=seed, threads=2).task


def test_a_forked_worker_trains_after_its_parent_has():
    import multiprocessing
    # The parent's pool of threads is not in a forked child, which must not wait for it.
    _fit_in_a_child(0)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.map_async(_fit_in_a_child, [1, 2]).get(timeout=60) == ["binary", "binary"]


def test_a_failed_run_writes_its_report_and_warnings_are_python_warnings(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    with pytest.raises(glassnet.TrainingError, match="non-finite") as failed:
        glassnet.fit(X, X[:, 0] * 1e4, optimizer="sgd", lr=10, epochs=3, report=str(tmp_path / "failed.html"))
    assert (tmp_path / "failed.html").stat().st_size > 0
    # The exception carries the run's findings: the value that stopped it among them.
    symptoms = [f.symptom for f in failed.value.findings]
    symptoms += [link.symptom for f in failed.value.findings for link in f.chain]
    assert "non_finite" in symptoms, symptoms
    with pytest.warns(UserWarning, match="--resume: no checkpoint in .* yet"):
        glassnet.fit(X, (X[:, 0] > 0) * 1.0, epochs=1, checkpoint_dir=str(tmp_path / "ck"), resume=True)


def test_keywords_take_numpy_values_and_paths_take_os_pathlike(moons, tmp_path):
    X, y = moons
    model = glassnet.fit(X, y, layers=np.array([8, 4]), residual=np.False_, no_standardize=np.True_, epochs=1)
    assert [w.shape for w in model.weights.values()][:3] == [(8, 2), (8,), (4, 8)]
    model.save(tmp_path / "m.safetensors")  # a pathlib.Path
    np.testing.assert_array_equal(glassnet.load(tmp_path / "m.safetensors").predict_proba(X), model.predict_proba(X))
    with pytest.raises(glassnet.Error, match=r"learning_rate=: not an option of fit \(did you mean lr= or schedule=\?\)"):
        glassnet.fit(X, y, learning_rate=0.1)


def test_no_directory_for_temporary_files_is_a_glassnet_error(monkeypatch):
    monkeypatch.setenv("TMPDIR", "/nonexistent")
    X = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(glassnet.Error, match=r"cannot make a directory for temporary files \(TMPDIR=/nonexistent\)"):
        glassnet.fit(X, (X[:, 0] > 0) * 1.0, epochs=1)
    # An empty TMPDIR is no setting: /tmp, as for Python's tempfile (it failed).
    monkeypatch.setenv("TMPDIR", "")
    assert len(glassnet.fit(X, (X[:, 0] > 0) * 1.0, epochs=1).history) == 1
