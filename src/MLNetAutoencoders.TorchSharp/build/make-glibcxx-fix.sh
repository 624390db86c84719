#!/usr/bin/env bash
# Writes a copy of TorchSharp's native glue that loads on GCC 12's libstdc++ (Debian 12), for the build targets beside
# this file. Usage: make-glibcxx-fix.sh ORIGINAL DIR  (ORIGINAL: a libLibTorchSharp.so; DIR: a folder to fill).
# Result: DIR/<SHA-256 of ORIGINAL>/libLibTorchSharp.so (the patched copy) and libmlae_ios_init.so (the small library it
# now needs). Why: the glue asks libstdc++ for GLIBCXX_3.4.32 for one function, std::ios_base_library_init() (GCC 13);
# libmlae_ios_init.so defines it (scripts/torchsharp-glibcxx/ios_base_library_init.cpp), patchelf makes the copy need
# that library, and patch_version_need.py points the version requirement at GLIBCXX_3.4.30. Needs g++, patchelf and
# python3. Prints the folder written; leaves a complete folder or none.
set -euo pipefail
original="$1"
dir="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$here/../../../scripts/torchsharp-glibcxx"
[ -s "$original" ] || { echo "make-glibcxx-fix: $original does not exist" >&2; exit 1; }
for t in g++ patchelf python3 readelf; do
  command -v "$t" >/dev/null 2>&1 || { echo "make-glibcxx-fix: '$t' is needed (Debian: apt-get install g++ patchelf python3 binutils)" >&2; exit 1; }
done
py="$(command -v /usr/bin/python3 || command -v python3)"
target="$dir/$(sha256sum "$original" | cut -d' ' -f1)"
if [ -s "$target/libLibTorchSharp.so" ] && [ -s "$target/libmlae_ios_init.so" ]; then echo "$target"; exit 0; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
g++ -O2 -shared -fPIC -o "$work/libmlae_ios_init.so" "$tools/ios_base_library_init.cpp"
cp "$original" "$work/libLibTorchSharp.so"
chmod u+w "$work/libLibTorchSharp.so"
patchelf --add-needed libmlae_ios_init.so "$work/libLibTorchSharp.so"
"$py" "$tools/patch_version_need.py" "$work/libLibTorchSharp.so" >/dev/null
# Captured, then matched: grep -q on a pipe would stop reading early and readelf could die of SIGPIPE under pipefail.
versions="$(readelf -V "$work/libLibTorchSharp.so")"
if [[ "$versions" == *GLIBCXX_3.4.32* ]]; then
  echo "make-glibcxx-fix: the patched copy still asks for GLIBCXX_3.4.32" >&2
  exit 1
fi
mkdir -p "$target.tmp"
install -m 755 "$work/libLibTorchSharp.so" "$work/libmlae_ios_init.so" "$target.tmp/"
rm -rf "$target"
mv "$target.tmp" "$target"
echo "$target"
