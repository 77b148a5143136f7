#!/usr/bin/env bash
# Installs every Debian package that glassnet's build, tests and benchmarks need.
# Idempotent: when everything is present it only checks, quietly, and exits.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache make pkg-config
  libeigen3-dev      # Matrix and the default gemm engine
  libcli11-dev       # command-line parsing
  libfmt-dev         # formatting of user-facing output
  nlohmann-json3-dev # JSON (model metadata, logs)
  libtomlplusplus-dev # TOML configuration files (train --config)
  zlib1g-dev         # gzip-compressed IDX files
  libgtest-dev       # unit and end-to-end tests
  libbenchmark-dev   # micro-benchmarks
  clang libclang-rt-14-dev  # libFuzzer targets (make test-fuzz)
  chromium           # loads the HTML reports headless in the end-to-end tests
  dataset-fashion-mnist  # real image data: the diagnosis benchmark, the README's example, W3
  pybind11-dev python3-dev  # the Python module (python/glassnet_module.cpp)
  python3-pytest python3-pandas  # its tests (X as a pandas DataFrame; the module itself needs numpy only)
  python3-torch python3-numpy  # the PyTorch peer of bench/compare.sh and the parity tests (never a dependency of glassnet)
  libopenblas0-pthread  # its BLAS: without it Debian's torch runs on the reference BLAS, ten times slower
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root (or install them)" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
