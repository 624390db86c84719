#!/usr/bin/env bash
# Installs what the tests, examples and reference checks need. Idempotent: run it as often as you like.
#   - Debian packages: Fashion-MNIST (IDX files), OpenBLAS, the DejaVu fonts (the pictures' text: SkiaSharp's native
#     library reads fonts from /usr/share/fonts and needs no other system library), and the Python reference stack
#     (torch, sklearn, onnx, numpy);
#   - the LFW face subset (lfw_subset.npy), taken out of the python3-skimage .deb without installing it;
#   - on GCC 12's libstdc++ only (Debian 12): a patched copy of TorchSharp's native glue (section 3).
# ONNX Runtime itself needs no set-up: the tests run exported models in process through the Microsoft.ML.OnnxRuntime
# NuGet package, which `dotnet restore` brings.
# Runs as root, or through sudo otherwise.
set -euo pipefail

FACES_DIR="/usr/local/share/mlnetautoencoders"
FACES_FILE="$FACES_DIR/lfw_subset.npy"
APT_PACKAGES=(dataset-fashion-mnist libopenblas0-pthread fonts-dejavu-core python3-torch python3-sklearn python3-onnx python3-numpy)

say() { printf 'setup: %s\n' "$*"; }

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  say "not root and sudo is not available; run this script as root." >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_update_once() {
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    "${SUDO[@]}" apt-get update -qq
    apt_updated=1
  fi
}

# 1. Debian packages (only the missing ones).
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt_update_once
  say "installing ${missing[*]}"
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  say "Debian packages present: ${APT_PACKAGES[*]}"
fi

# 2. Face subset from the python3-skimage .deb (downloaded, not installed).
if [ -s "$FACES_FILE" ]; then
  say "faces present: $FACES_FILE"
else
  apt_update_once
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # apt downloads as its sandbox user _apt when run as root: let it write into the temp folder.
  if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  say "downloading python3-skimage .deb to extract lfw_subset.npy"
  (cd "$tmp" && apt-get download -qq python3-skimage)
  deb="$(ls "$tmp"/python3-skimage_*.deb | head -n 1)"
  (cd "$tmp" && dpkg-deb --fsys-tarfile "$deb" | tar -x --wildcards '*lfw_subset.npy')
  src="$(find "$tmp" -name lfw_subset.npy -type f | head -n 1)"
  if [ -z "$src" ]; then
    say "lfw_subset.npy was not found in $deb" >&2
    exit 1
  fi
  "${SUDO[@]}" mkdir -p "$FACES_DIR"
  "${SUDO[@]}" install -m 644 "$src" "$FACES_FILE.tmp"
  "${SUDO[@]}" mv -f "$FACES_FILE.tmp" "$FACES_FILE"
  say "faces installed: $FACES_FILE ($(stat -c %s "$FACES_FILE") bytes)"
fi

# 3. TorchSharp on GCC 12's libstdc++ (Debian 12). TorchSharp's native glue libLibTorchSharp.so asks libstdc++ for
#    GLIBCXX_3.4.32 because of one function, std::ios_base_library_init() (added in GCC 13); Debian 12 has GCC 12's
#    libstdc++ (up to GLIBCXX_3.4.30), so loading TorchSharp fails there with DllNotFoundException. When (and only when)
#    the host's libstdc++ lacks that version, this writes to $TORCH_FIX_DIR/<SHA-256 of the original file>/ a patched
#    COPY of the file plus libmlae_ios_init.so, a tiny library defining that one function (it constructs a static
#    std::ios_base::Init, which is all GCC 13's version does). The copy lists the library as NEEDED (patchelf) and no
#    longer asks for GLIBCXX_3.4.32 (src/MLNetAutoencoders.TorchSharp/build/make-glibcxx-fix.sh does it, the same
#    script that makes the copy the TorchSharp package carries). The NuGet cache is left as it is; builds of this
#    repository put the copy into their output folder (src/MLNetAutoencoders.TorchSharp/build/*.targets).
TORCH_FIX_DIR="/usr/local/lib/mlnetautoencoders/torchsharp-glibcxx"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIBSTDCXX="$(ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')"
if [ -z "$LIBSTDCXX" ] || grep -q 'GLIBCXX_3\.4\.32' "$LIBSTDCXX"; then
  say "TorchSharp: the host libstdc++ has GLIBCXX_3.4.32; no fix needed"
else
  fix_tools=()
  command -v patchelf >/dev/null 2>&1 || fix_tools+=(patchelf)
  command -v g++ >/dev/null 2>&1 || fix_tools+=(g++)
  [ -x /usr/bin/python3 ] || fix_tools+=(python3)
  if [ "${#fix_tools[@]}" -gt 0 ]; then
    apt_update_once
    say "installing ${fix_tools[*]} (for the TorchSharp fix)"
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${fix_tools[@]}"
  fi
  # The original file comes from the NuGet package that the TorchSharp project restores.
  say "TorchSharp: restoring the TorchSharp project to find libLibTorchSharp.so"
  dotnet restore "$REPO/src/MLNetAutoencoders.TorchSharp/MLNetAutoencoders.TorchSharp.csproj" --verbosity quiet >/dev/null
  ts_version="$(sed -n 's:.*<TorchSharpVersion>\(.*\)</TorchSharpVersion>.*:\1:p' "$REPO/Directory.Packages.props")"
  packages="${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')}"
  original="${packages%/}/torchsharp/$ts_version/runtimes/linux-x64/native/libLibTorchSharp.so"
  if [ ! -s "$original" ]; then
    say "TorchSharp: $original was not found after the restore" >&2
    exit 1
  fi
  "${SUDO[@]}" mkdir -p "$TORCH_FIX_DIR"
  target="$("${SUDO[@]}" bash "$REPO/src/MLNetAutoencoders.TorchSharp/build/make-glibcxx-fix.sh" "$original" "$TORCH_FIX_DIR")"
  say "TorchSharp: patched copy in $target (rebuild to use it)"
fi

say "done"
