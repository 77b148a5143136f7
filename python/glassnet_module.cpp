// The Python module `glassnet`: numpy arrays in and out, the command line's training
// options as keyword arguments (parsed by the command line's own option table,
// src/cli/run_options.hpp, so names, defaults, checks and messages are the same), and
// glassnet's errors as Python exceptions with the same messages.
//
//   model = glassnet.fit(X, y, layers=[64, 64], epochs=20)
//   model.predict(X), model.predict_proba(X), model.evaluate(X, y)
//   model.doctor()            findings of the run, as Finding objects
//   model.monitor             the monitor's series as numpy arrays
//   model.save(path); glassnet.load(path)
//
// Only the bindings live here (arrays.hpp and keywords.hpp convert what Python passes);
// training, prediction and the doctor are the library's.

#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "cli/report_file.hpp"
#include "cli/run_options.hpp"
#include "glassnet/core/counted.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/data/table.hpp"
#include "glassnet/diag/doctor.hpp"
#include "glassnet/diag/repair.hpp"
#include "glassnet/io/model_file.hpp"
#include "glassnet/io/temporary_directory.hpp"
#include "glassnet/train/run.hpp"
#include "keywords.hpp"

namespace py = pybind11;
using namespace pybind11::literals;  // "dtype"_a

namespace glassnet::python {
namespace {

// Ctrl-C while fit trains. Python's own handler cannot run while the GIL is released,
// so fit sets one of its own that asks the run to stop after its step, as the command
// line's does; the previous handler is back when the last fit running ends.
class InterruptScope {
 public:
  InterruptScope() {
    const std::lock_guard lock(mutex_);
    if (active_++ > 0) return;
    flag_.store(false);
    struct sigaction action {};
    action.sa_handler = [](int) { flag_.store(true); };
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &previous_);
  }
  ~InterruptScope() {
    const std::lock_guard lock(mutex_);
    if (--active_ == 0) ::sigaction(SIGINT, &previous_, nullptr);
  }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  const std::atomic<bool>* flag() const { return &flag_; }

 private:
  static inline std::mutex mutex_;
  static inline int active_ = 0;
  static inline std::atomic<bool> flag_{false};
  static inline struct sigaction previous_ {};
};

// A model and, when it was trained here, its run.
struct PyModel {
  Model model;
  std::optional<RunResult> run;
};

std::vector<std::string> input_names(const Model& model) {
  std::vector<std::string> names;
  for (const FeatureColumn& c : model.features.columns) {
    if (c.kind != ColumnKind::numeric) {
      throw Error(
          fmt::format("the model's input '{}' is a text column; an array holds numbers only: pass X as named "
                      "columns (a dict or a pandas DataFrame)",
                      c.name));
    }
    names.push_back(c.name);
  }
  return names;
}

// y as the name of one of X's named columns (fit(frame, "label")), or none.
std::optional<std::string> target_column_named(const py::object& x, const py::object& y) {
  if (!py::isinstance<py::str>(y) || !named_columns(x)) return std::nullopt;
  return y.cast<std::string>();
}

// X for a model: named columns, found by name; or an array, its columns the model's
// inputs in order.
Table model_input(const PyModel& self, const py::object& x) {
  if (named_columns(x)) return table_of_columns(x);
  return table_of(numbers_of(x, "X"), input_names(self.model));
}

py::array_t<double> predict_proba(PyModel& self, const py::object& x) {
  if (self.model.labels.task == Task::regression) {
    throw Error("predict_proba: a regression model has no probabilities; predict gives its values");
  }
  return to_numpy(predict_model(self.model, model_input(self, x)));
}

// Classes `which` of `labels` as the training target had them: float64 for a numeric
// target, str otherwise (an empty array too: numpy makes an empty list float64).
py::array class_labels(const LabelEncoding& labels, const std::vector<std::size_t>& which) {
  if (labels.numbers) {
    std::vector<double> out;
    for (std::size_t k : which) out.push_back(*parse_number(labels.classes[k]));  // (checked on loading)
    return py::array(py::cast(out));
  }
  std::vector<std::string> out;
  for (std::size_t k : which) out.push_back(labels.classes[k]);
  return py::module_::import("numpy").attr("array")(py::cast(out), "dtype"_a = "str");
}

// Class labels as the training target had them (numbers for a numeric target, text
// otherwise), or the values for regression.
py::array predict(PyModel& self, const py::object& x) {
  const Matrix p = predict_model(self.model, model_input(self, x));
  const LabelEncoding& labels = self.model.labels;
  if (labels.task == Task::regression) return to_numpy(p).attr("reshape")(-1);
  std::vector<std::size_t> predicted;
  for (Index i = 0; i < p.rows(); ++i) predicted.push_back(labels.predicted_class(p, i));
  return class_labels(labels, predicted);
}

// Metrics as `glassnet eval --json` has them, numbers as floats (nan where undefined),
// the confusion matrix [truth, predicted] and the curves as numpy arrays.
py::dict metrics_dict(const Metrics& m) {
  py::dict out;
  for (const auto& [name, value] : m.values) out[py::str(name)] = value;
  if (m.confusion.classes > 0) {
    py::array_t<std::int64_t> confusion({m.confusion.classes, m.confusion.classes});
    std::copy(m.confusion.counts.begin(), m.confusion.counts.end(), confusion.mutable_data());
    out["confusion_matrix"] = confusion;
  }
  const auto curve = [](const Curve& c, const char* x, const char* y) {
    py::dict d;
    d[x] = py::array(py::cast(c.x));
    d[y] = py::array(py::cast(c.y));
    return d;
  };
  if (!m.roc.x.empty()) out["roc_curve"] = curve(m.roc, "fpr", "tpr");
  if (!m.pr.x.empty()) out["pr_curve"] = curve(m.pr, "recall", "precision");
  return out;
}

py::dict evaluate(PyModel& self, const py::object& x, const py::object& y) {
  Table table = model_input(self, x);
  if (const std::optional<std::string> name = target_column_named(x, y)) {
    Column& target = table.columns[static_cast<std::size_t>(table.find_or_throw(*name, "for the target (y)"))];
    if (*name != self.model.target && table.find(self.model.target) >= 0) {
      throw Error(
          fmt::format("X: a column named '{}', the model's target, besides y's '{}'", self.model.target, *name));
    }
    target.name = self.model.target;  // (as the model names it)
    return metrics_dict(evaluate_model(self.model, table));
  }
  if (table.find(self.model.target) >= 0) {
    throw Error(fmt::format("X: a column named '{}', the model's target: y holds it", self.model.target));
  }
  table.columns.push_back(target_of(y, table.rows(), self.model.target));
  return metrics_dict(evaluate_model(self.model, table));
}

const RunResult& run_of(const PyModel& self) {
  if (!self.run) throw Error("this model was loaded from a file: its training run is not here (fit records it)");
  return *self.run;
}

// The monitor's series: 1-D arrays per step, [steps, params] arrays per parameter.
py::dict monitor_of(const PyModel& self) {
  const MonitorSeries& s = run_of(self).monitor;
  const auto steps = static_cast<py::ssize_t>(s.steps.size()), params = static_cast<py::ssize_t>(s.params.size());
  const auto per_param = [&](const std::vector<float>& v) {
    py::array_t<float> a({steps, params});
    std::copy(v.begin(), v.end(), a.mutable_data());
    return a;
  };
  py::dict out;
  out["step"] = py::array(py::cast(s.steps));
  out["epoch"] = py::array(py::cast(s.epochs));
  out["loss"] = py::array(py::cast(s.loss));
  out["learning_rate"] = py::array(py::cast(s.learning_rate));
  out["grad_norm"] = py::array(py::cast(s.grad_norm));
  out["params"] = s.params;
  out["param_grad_norm"] = per_param(s.param_grad_norm);
  out["param_weight_norm"] = per_param(s.param_weight_norm);
  out["param_update_ratio"] = per_param(s.param_update_ratio);
  return out;
}

py::list history_of(const PyModel& self) {
  py::list out;
  for (const EpochLogs& e : run_of(self).history) {
    py::dict d;
    d["epoch"] = e.epoch;
    d["train_loss"] = e.train_loss;
    if (e.val_loss) d["val_loss"] = *e.val_loss;
    if (e.train_accuracy) d["train_accuracy"] = *e.train_accuracy;
    if (e.val_accuracy) d["val_accuracy"] = *e.val_accuracy;
    d["learning_rate"] = e.learning_rate;
    d["seconds"] = e.seconds;
    out.append(d);
  }
  return out;
}

PyModel fit(const py::object& x, const py::object& y, const py::kwargs& options) {
  CLI::App app{"glassnet.fit", "train"};  // (named in messages as the command whose options fit takes)
  cli::RunFlags flags;
  parse_options(options, app, flags);
  RunConfig& config = cli::run_config(flags);
  config.data.clear();  // X is no file (and out="X" names no input)
  const bool keep_file = app.get_option("--out")->count() > 0;
  Index rows = 0;  // (an array's, though it has no columns)
  Table table = [&] {
    if (named_columns(x)) {
      Table columns = table_of_columns(x);
      rows = columns.rows();
      return columns;
    }
    const DoubleArray features = numbers_of(x, "X");
    Table numeric = table_of(features, feature_names(features));
    rows = features.shape(0);
    return numeric;
  }();
  if (rows == 0) throw Error("X: no rows to train on");
  if (const std::optional<std::string> name = target_column_named(x, y)) {
    config.target = *name;  // one of X's columns: the rest are the features
    table.find_or_throw(*name, "for the target (y)");
  } else {
    if (table.find("y") >= 0) throw Error("X: a column named 'y', the name fit gives the target; rename it");
    table.columns.push_back(target_of(y, rows, "y"));
  }
  std::optional<TemporaryDirectory> scratch;  // without out=: the model's, removed whatever happens
  if (!keep_file) {
    scratch.emplace("fit");
    config.out = scratch->path() / "model.safetensors";
  }
  cli::check_train_report("report", flags.report, config);
  const cli::ReportFile report(flags.report, config.log);
  PyModel result;
  {
    py::gil_scoped_release unlocked;
    const InterruptScope interrupt;
    const RunHooks hooks{.interrupt = interrupt.flag()};
    try {
      result.run =
          config.auto_repair ? train_with_repair(config, table, hooks).result : run_training(config, table, hooks);
    } catch (const TrainingError&) {
      if (report.wanted()) report.write();  // a run that failed is the one to look at
      throw;
    }
    if (report.wanted()) report.write();
  }
  result.model = load_model(config.out);
  for (const std::string& warning : result.run->warnings) {  // as the command line prints them
    if (PyErr_WarnEx(PyExc_UserWarning, warning.c_str(), 1) != 0) throw py::error_already_set();
  }
  if (result.run->interrupted) {
    const std::string message =
        fmt::format("fit was interrupted (Ctrl-C) after {}: the model returned is the run so far",
                    counted(result.run->history.size(), "complete epoch"));
    if (PyErr_WarnEx(PyExc_RuntimeWarning, message.c_str(), 1) != 0) throw py::error_already_set();
  }
  return result;
}

}  // namespace
}  // namespace glassnet::python

PYBIND11_MODULE(glassnet, m) {
  using namespace glassnet;
  using namespace glassnet::python;
  m.doc() = "glassnet: feed-forward networks trained on the CPU, with per-layer diagnostics";
  static py::exception<Error> error(m, "Error", PyExc_ValueError);
  static py::exception<TrainingError> training_error(m, "TrainingError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      error(e.what());
    } catch (const TrainingFailed& e) {
      // The run's findings up to the failure, as `findings` on the exception.
      py::object raised = py::reinterpret_borrow<py::object>(training_error.ptr())(e.what());
      raised.attr("findings") = py::cast(e.findings());
      PyErr_SetObject(training_error.ptr(), raised.ptr());
    } catch (const TrainingError& e) {
      training_error(e.what());
    }
  });

  py::class_<Link>(m, "Link")
      .def_readonly("symptom", &Link::symptom)
      .def_readonly("layers", &Link::layers)
      .def_readonly("first_step", &Link::first_step)
      .def_readonly("last_step", &Link::last_step)
      .def_readonly("evidence", &Link::evidence)
      .def("__repr__", [](const Link& l) { return fmt::format("<Link {}>", l.symptom); });
  py::class_<Finding>(m, "Finding")
      .def_readonly("symptom", &Finding::symptom)
      .def_property_readonly("severity", [](const Finding& f) { return std::string(severity_name(f.severity)); })
      .def_readonly("summary", &Finding::summary)
      .def_readonly("layers", &Finding::layers)
      .def_readonly("first_step", &Finding::first_step)
      .def_readonly("last_step", &Finding::last_step)
      .def_readonly("evidence", &Finding::evidence)
      .def_readonly("causes", &Finding::causes)
      .def_property_readonly("fixes",
                             [](const Finding& f) {
                               std::vector<std::string> fixes;
                               for (const std::string& fix : f.fixes) fixes.push_back(fix_as_keywords(fix));
                               return fixes;
                             })
      .def_readonly("chain", &Finding::chain)
      .def("__repr__",
           [](const Finding& f) { return fmt::format("<Finding {} {}>", severity_name(f.severity), f.symptom); });

  py::class_<PyModel>(m, "Model")
      .def("predict", &predict, py::arg("X"), "Class labels (classification) or values (regression), one per row")
      .def("predict_proba", &predict_proba, py::arg("X"),
           "Probabilities: [N, 1] P(class 1) for binary tasks, [N, C] for multiclass (a regression has none)")
      .def("evaluate", &evaluate, py::arg("X"), py::arg("y"), "The task's metrics on X, y, as a dict")
      .def(
          "save", [](const PyModel& self, const std::filesystem::path& path) { save_model(path, self.model); },
          py::arg("path"))
      .def(
          "doctor", [](const PyModel& self) { return run_of(self).findings; },
          "The findings of the training run (preflight's and the doctor's), most severe first")
      .def_property_readonly("monitor", &monitor_of)
      .def_property_readonly("history", &history_of)
      .def_property_readonly("metrics",
                             [](const PyModel& self) {
                               py::dict out;
                               for (const auto& [split, metrics] : run_of(self).metrics) {
                                 out[py::str(split)] = metrics_dict(metrics);
                               }
                               return out;
                             })
      .def_property_readonly("task", [](const PyModel& self) { return std::string(task_name(self.model.labels.task)); })
      .def_property_readonly("classes",
                             [](const PyModel& self) {
                               std::vector<std::size_t> all(self.model.labels.classes.size());
                               for (std::size_t k = 0; k < all.size(); ++k) all[k] = k;
                               return class_labels(self.model.labels, all);
                             })
      .def_property_readonly("inputs", [](const PyModel& self) { return self.model.features.input_names(); })
      .def_property_readonly("weights", [](const PyModel& self) {
        py::dict out;
        const ParamStore& store = self.model.network->params();
        for (std::size_t p = 0; p < store.params().size(); ++p) {
          const ParamInfo& param = store.params()[p];  // in the model file's shape: [out] for a bias
          py::array_t<double> values(std::vector<py::ssize_t>(param.shape.begin(), param.shape.end()));
          const Matrix value = store.value(static_cast<Index>(p));
          std::copy(value.data(), value.data() + value.size(), values.mutable_data());
          out[py::str(param.name)] = values;
        }
        return out;
      });

  m.def("fit", &fit, py::arg("X"), py::arg("y"),
        "Trains on X:[N, F] and y:[N] with the options of `glassnet train` as keywords "
        "(layers=[64, 64], epochs=30, optimizer='adam', lr=1e-3, ...; out=PATH also writes the model file)");
  m.def(
      "load",
      [](const std::filesystem::path& path) {
        return PyModel{load_model(path), std::nullopt};
      },
      py::arg("path"), "A model file written by glassnet (the command line, C++ or Python)");
}
