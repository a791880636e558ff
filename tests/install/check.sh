#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds and runs a separate project that uses
# Switchyard as an outside project would: the library, its headers and the package files work
# installed. Usage: check.sh BUILD_DIR pkg-config|cmake
#   pkg-config: a meson project with dependency('switchyard'), through switchyard.pc;
#   cmake:      a CMake project with find_package(switchyard), through switchyardConfig.cmake.
set -euo pipefail
build_dir="$1"
how="$2"
source_dir="$(cd "$(dirname "$0")" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
meson install -C "$build_dir" --destdir "$scratch/root" --no-rebuild >/dev/null
case "$how" in
  pkg-config)
    pc="$(dirname "$(find "$scratch/root" -name switchyard.pc | head -1)")"
    prefix="$(sed -n 's/^prefix=//p' "$pc/switchyard.pc")"
    sed -i "s|^prefix=.*|prefix=$scratch/root$prefix|" "$pc/switchyard.pc"
    PKG_CONFIG_PATH="$pc" meson setup "$scratch/consumer" "$source_dir/consumer" >/dev/null
    ninja -C "$scratch/consumer" >/dev/null
    ;;
  cmake)
    # The package finds its prefix from where it lies, so the scratch root needs no editing.
    package="$(dirname "$(find "$scratch/root" -name switchyardConfig.cmake | head -1)")"
    cmake -S "$source_dir/consumer" -B "$scratch/consumer" -G Ninja \
      -Dswitchyard_DIR="$package" >/dev/null
    cmake --build "$scratch/consumer" >/dev/null
    ;;
  *)
    echo "check.sh: unknown way '$how' (pkg-config or cmake)" >&2
    exit 2
    ;;
esac
out="$(LD_LIBRARY_PATH="$(dirname "$(find "$scratch/root" -name 'libswitchyard.so' | head -1)")" \
  "$scratch/consumer/consumer")"
[ "$out" = "42" ] || { echo "consumer printed '$out', expected 42"; exit 1; }
echo "installed Switchyard found through $how; consumer printed $out"
