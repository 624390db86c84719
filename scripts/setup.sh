#!/usr/bin/env bash
# Installs what the tests, examples and reference checks need. Idempotent: run it as often as you like.
#   - Debian packages: Fashion-MNIST (IDX files), OpenBLAS, the DejaVu fonts (the pictures' text: SkiaSharp's native
#     library reads fonts from /usr/share/fonts and needs no other system library), and the Python reference stack
#     (torch, sklearn, onnx, numpy);
#   - the LFW face subset (lfw_subset.npy), taken out of the python3-skimage .deb without installing it;
#   - on GCC 12's libstdc++ only (Debian 12): a patched copy of TorchSharp's native glue (section 3).
# ONNX Runtime itself needs no set-up: the tests run exported models in process through the Microsoft.ML.OnnxRuntime
# NuGet package, which `dotnet restore` brings.
# Runs as root, or through sudo otherwise. When a step fails it prints the step, the failing command and what to do
# (scripts/lib/steps.sh), and stops; run it again once the cause is fixed: it picks up where it stopped.
source "$(dirname "${BASH_SOURCE[0]}")/lib/steps.sh"

FACES_DIR="/usr/local/share/mlnetautoencoders"
FACES_FILE="$FACES_DIR/lfw_subset.npy"
APT_PACKAGES=(dataset-fashion-mnist libopenblas0-pthread fonts-dejavu-core python3-torch python3-sklearn python3-onnx python3-numpy)

say() { printf 'setup: %s\n' "$*"; }

step "check for root or sudo" "run the script as root, or install sudo."
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  say "not root and sudo is not available." >&2
  false
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
step "check the Debian packages" "check that dpkg works (\`dpkg -l\`), then run the script again."
# One dpkg-query for all of them (it exits 1 when some package is unknown to dpkg: that one is simply missing).
installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${APT_PACKAGES[@]}" 2>/dev/null || true)"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  [[ $'\n'"$installed" == *$'\n'"$p ii"* ]] || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  step "install the Debian packages ${missing[*]}" "check that Debian's package mirror answers (\`apt-get update\`) and that no other apt or dpkg is running, then run the script again."
  apt_update_once
  say "installing ${missing[*]}"
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  say "Debian packages present: ${APT_PACKAGES[*]}"
fi

# 2. Face subset from the python3-skimage .deb (downloaded, not installed).
step "extract the face images from the python3-skimage package" "check that \`apt-get download python3-skimage\` works (after \`apt-get update\`) and that /usr/local/share is writable, then run the script again."
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
  debs=("$tmp"/python3-skimage_*.deb)
  deb="${debs[0]}"
  (cd "$tmp" && dpkg-deb --fsys-tarfile "$deb" | tar -x --wildcards '*lfw_subset.npy')
  src="$(find "$tmp" -name lfw_subset.npy -type f -print -quit)"
  if [ -z "$src" ]; then
    say "lfw_subset.npy was not found in $deb" >&2
    false
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
step "find the host's libstdc++" "check that \`ldconfig -p\` lists libstdc++.so.6 (Debian package libstdc++6), then run the script again."
# The whole listing is captured before it is searched: a reader that stops at the first match (awk '… exit', head)
# would kill ldconfig with SIGPIPE while it is still writing, and pipefail would end the script (a flake seen 8 in 20).
ldconfig_list="$(ldconfig -p)"
LIBSTDCXX="$(awk '/libstdc\+\+\.so\.6 .*x86-64/ && !found {print $NF; found = 1}' <<<"$ldconfig_list")"
if [ -z "$LIBSTDCXX" ] || grep -q 'GLIBCXX_3\.4\.32' "$LIBSTDCXX"; then
  say "TorchSharp: the host libstdc++ has GLIBCXX_3.4.32; no fix needed"
else
  step "install the tools for the TorchSharp fix" "check that Debian's package mirror answers (\`apt-get update\`), then run the script again."
  fix_tools=()
  command -v patchelf >/dev/null 2>&1 || fix_tools+=(patchelf)
  command -v g++ >/dev/null 2>&1 || fix_tools+=(g++)
  [ -x /usr/bin/python3 ] || fix_tools+=(python3)
  if [ "${#fix_tools[@]}" -gt 0 ]; then
    apt_update_once
    say "installing ${fix_tools[*]} (for the TorchSharp fix)"
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${fix_tools[@]}"
  fi
  # The original file comes from the TorchSharp NuGet package. When the package is already in the NuGet folder nothing
  # is restored, which keeps a run with everything installed fast.
  step "find TorchSharp's native glue libLibTorchSharp.so" "check that \`dotnet restore src/MLNetAutoencoders.TorchSharp\` works (NuGet reachable), then run the script again."
  ts_version="$(sed -n 's:.*<TorchSharpVersion>\(.*\)</TorchSharpVersion>.*:\1:p' "$REPO/Directory.Packages.props")"
  packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
  original="${packages%/}/torchsharp/$ts_version/runtimes/linux-x64/native/libLibTorchSharp.so"
  if [ ! -s "$original" ]; then
    say "TorchSharp: restoring the TorchSharp project to find libLibTorchSharp.so"
    dotnet restore "$REPO/src/MLNetAutoencoders.TorchSharp/MLNetAutoencoders.TorchSharp.csproj" --verbosity quiet >/dev/null
    if [ -z "${NUGET_PACKAGES:-}" ]; then
      packages="$(dotnet nuget locals global-packages --list)"
      packages="${packages#global-packages: }"
      original="${packages%/}/torchsharp/$ts_version/runtimes/linux-x64/native/libLibTorchSharp.so"
    fi
  fi
  if [ ! -s "$original" ]; then
    say "TorchSharp: $original was not found after the restore" >&2
    false
  fi
  step "write the patched copy of libLibTorchSharp.so" "check that g++, patchelf and /usr/bin/python3 work and /usr/local/lib is writable, then run the script again."
  "${SUDO[@]}" mkdir -p "$TORCH_FIX_DIR"
  target="$("${SUDO[@]}" bash "$REPO/src/MLNetAutoencoders.TorchSharp/build/make-glibcxx-fix.sh" "$original" "$TORCH_FIX_DIR")"
  say "TorchSharp: patched copy of the glue: $target (builds of this repository use it)"
fi

say "done"
