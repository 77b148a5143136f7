#!/usr/bin/env bash
# The installed package, used as its users use it: installs BUILD_DIR into a temporary
# prefix, builds this directory's project against it with CMake (find_package) and
# moons.cpp again with pkg-config, builds every ```cpp program of docs/cpp-guide.md,
# and runs them all. Any failure fails the test.
#   tests/consumer/run.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" > /dev/null
/usr/bin/python3 - "$root/docs/cpp-guide.md" "$work/snippets" <<'PY'
import os, re, sys
guide, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
blocks = re.findall(r"^```cpp\n(.*?)^```", open(guide).read(), flags=re.S | re.M)
for i, code in enumerate(blocks, 1):
    with open(os.path.join(out, f"guide_{i}.cpp"), "w") as f:
        f.write(code)
print(f"{len(blocks)} programs in {guide}")
PY
cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" -DSNIPPETS="$work/snippets" > "$work/configure.log" \
  || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build"
"$work/build/moons"
for program in "$work"/build/guide_*; do
  echo "== $(basename "$program")"
  "$program" > "$work/out.txt" || { cat "$work/out.txt"; echo "$(basename "$program") failed"; exit 1; }
  tail -n 3 "$work/out.txt"
done
# pkg-config: the same program, compiled by hand.
flags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs glassnet)
c++ "$here/moons.cpp" $flags -o "$work/moons-pkg-config"
"$work/moons-pkg-config"
# Flags that change the layout of the library's types do not link (core/build_check.hpp):
# another precision, and, where the library's matrices are aligned beyond SSE's 16 bytes
# (its build symbol says), no -march.
built=$(nm "$work/prefix/lib/libglassnet.a" 2> /dev/null | grep -o "glassnet_built_for_[a-z0-9_]*" | sort -u)
mismatches=("$([[ " $flags " == *" -DGLASSNET_DOUBLE=1 "* ]] && echo "-UGLASSNET_DOUBLE" || echo "-DGLASSNET_DOUBLE=1")")
if [[ " $flags " == *" -march=native "* && "$built" != *_align16_* ]]; then mismatches+=("-march=x86-64"); fi
for other in "${mismatches[@]}"; do
  if c++ "$here/moons.cpp" $flags $other -o "$work/moons-other" 2> "$work/link.txt"; then
    echo "moons.cpp linked with $other against the library ($built)"; exit 1
  fi
  grep -q "glassnet_built_for_" "$work/link.txt" || { cat "$work/link.txt"; exit 1; }
done
"$work/prefix/bin/glassnet" --version
# The Python module, where the package put it.
if compgen -G "$work/prefix/lib/python3/dist-packages/glassnet*.so" > /dev/null; then
  PYTHONPATH="$work/prefix/lib/python3/dist-packages" /usr/bin/python3 -c \
    'import glassnet, numpy as np; m = glassnet.fit(np.eye(4), np.array([0., 1, 0, 1]), epochs=2, val_split=0.5); print("python:", m.task)'
fi
