#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds and runs a separate meson project that
# uses dependency('switchyard'): the library, its headers and switchyard.pc work installed.
set -euo pipefail
build_dir="$1"
source_dir="$(cd "$(dirname "$0")" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
meson install -C "$build_dir" --destdir "$scratch/root" --no-rebuild >/dev/null
pc="$(dirname "$(find "$scratch/root" -name switchyard.pc | head -1)")"
prefix="$(sed -n 's/^prefix=//p' "$pc/switchyard.pc")"
sed -i "s|^prefix=.*|prefix=$scratch/root$prefix|" "$pc/switchyard.pc"
PKG_CONFIG_PATH="$pc" meson setup "$scratch/consumer" "$source_dir/consumer" >/dev/null
ninja -C "$scratch/consumer" >/dev/null
out="$(LD_LIBRARY_PATH="$(dirname "$(find "$scratch/root" -name 'libswitchyard.so' | head -1)")" \
  "$scratch/consumer/consumer")"
[ "$out" = "42" ] || { echo "consumer printed '$out', expected 42"; exit 1; }
echo "installed Switchyard found through pkg-config; consumer printed $out"
