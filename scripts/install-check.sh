#!/usr/bin/env bash
# Installs the project the way a user does and runs what README promises, outside the repository:
#   1. packs every packable project into a temporary folder and checks the set of packages and their metadata, and that
#      the core package holds none of the experiment types;
#   2. new console project + MLNetAutoencoders.MLNet from that folder + Microsoft.ML.OnnxRuntime (the CPU build) from
#      NuGet; Program.cs = README's CSV quick start (the code between its quickstart:csv markers); runs it on a generated
#      data.csv and checks the exit code, the Accuracy line and model.zip;
#   3. the same for the pictures quick start (quickstart:images) on 64 face pictures written as PNG files;
#   4. a program of the user's own with MLNetAutoencoders.TorchSharp + TorchSharp-cpu that trains on the TorchSharp
#      engine (on Debian 12 this runs only if the package's libstdc++ fix reaches the user's build);
#   5. `dotnet tool install mlae` from the folder into a tool path: `mlae --version`, a short `mlae train`, and one with
#      `--backend torchsharp` (LibTorch from the NuGet package folder, where step 4's restore put it).
# Nothing from the repository is referenced: only the packages. Prints each package's size. Exit code 0 = all passed.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3   # Debian's python3 (numpy), as scripts/setup.sh installs it
WORK="$(mktemp -d /tmp/mlae-install-check.XXXXXX)"
FEED="$WORK/feed"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
VERSION="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$REPO/Directory.Build.props")"
VERSION="${VERSION%%$'\n'*}"
ORT_VERSION="$(sed -n 's:.*<OnnxRuntimeVersion>\(.*\)</OnnxRuntimeVersion>.*:\1:p' "$REPO/Directory.Packages.props")"
ML_VERSION="$(sed -n "s:.*<MicrosoftMLVersion Condition=\"'\$(MicrosoftMLVersion)' == ''\">\(.*\)</MicrosoftMLVersion>.*:\1:p" "$REPO/Directory.Packages.props")"
TS_VERSION="$(sed -n 's:.*<TorchSharpVersion>\(.*\)</TorchSharpVersion>.*:\1:p' "$REPO/Directory.Packages.props")"
SKIA_FOR_ML=3.119.2   # the SkiaSharp that Microsoft.ML.ImageAnalytics 6.0.0 asks for (the newest native build does not fit it)
GLOBAL_PACKAGES="${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')}"
OURS=(mlnetautoencoders mlnetautoencoders.mlnet mlnetautoencoders.torchsharp mlae)

say() { printf 'install-check: %s\n' "$*"; }
fail() { printf 'install-check: FAILED: %s\n' "$*" >&2; exit 1; }
# Our packages keep one version until a release, so a copy cached by an earlier run would hide this run's package.
forget_ours() { for id in "${OURS[@]}"; do rm -rf "${GLOBAL_PACKAGES%/}/$id/$VERSION"; done; }
cleanup() { forget_ours; rm -rf "$WORK"; }
trap cleanup EXIT
forget_ours
started=$SECONDS

# 1. Pack.
say "packing version $VERSION into $FEED"
dotnet pack "$REPO/MLNetAutoencoders.sln" -c Release -o "$FEED" -v q -nologo >"$WORK/pack.log" 2>&1 || { cat "$WORK/pack.log"; fail "dotnet pack"; }
expected="mlae.$VERSION.nupkg mlae.$VERSION.snupkg MLNetAutoencoders.$VERSION.nupkg MLNetAutoencoders.$VERSION.snupkg MLNetAutoencoders.MLNet.$VERSION.nupkg MLNetAutoencoders.MLNet.$VERSION.snupkg MLNetAutoencoders.TorchSharp.$VERSION.nupkg MLNetAutoencoders.TorchSharp.$VERSION.snupkg"
got="$(cd "$FEED" && ls | sort | tr '\n' ' ' | sed 's/ $//')"
[ "$got" = "$(tr ' ' '\n' <<<"$expected" | sort | tr '\n' ' ' | sed 's/ $//')" ] || fail "the packed folder holds: $got; expected: $expected"
for f in "$FEED"/*; do say "$(stat -c '%s %n' "$f" | awk '{ n = split($2, p, "/"); printf "%-48s %7.2f MB", p[n], $1 / 1048576 }')"; done
nuspec() { unzip -p "$FEED/$1.$VERSION.nupkg" "$1.nuspec"; }
files() { unzip -l "$FEED/$1.$VERSION.nupkg"; }   # (grep reads a here-string: grep -q on a pipe would cut unzip short)
for id in MLNetAutoencoders MLNetAutoencoders.MLNet MLNetAutoencoders.TorchSharp mlae; do
  spec="$(nuspec "$id")"
  for want in '<license type="expression">MIT</license>' '<readme>PACKAGE.md</readme>' '<description>' '<authors>' '<tags>' '<repository type="git"'; do
    grep -qF "$want" <<<"$spec" || fail "$id.nuspec lacks $want"
  done
  grep -q ' PACKAGE.md$' <<<"$(files "$id")" || fail "$id lacks PACKAGE.md"
done
spec="$(nuspec MLNetAutoencoders.MLNet)"
grep -q 'id="Microsoft.ML.OnnxRuntime.Managed"' <<<"$spec" || fail "MLNetAutoencoders.MLNet must depend on Microsoft.ML.OnnxRuntime.Managed"
grep -q 'id="Microsoft.ML.OnnxRuntime"' <<<"$spec" && fail "MLNetAutoencoders.MLNet must not depend on the native Microsoft.ML.OnnxRuntime"
spec="$(nuspec MLNetAutoencoders.TorchSharp)"
grep -q 'id="TorchSharp"' <<<"$spec" || fail "MLNetAutoencoders.TorchSharp must depend on TorchSharp"
grep -q 'id="TorchSharp-cpu"' <<<"$spec" && fail "MLNetAutoencoders.TorchSharp must not depend on TorchSharp-cpu"
grep -q 'buildTransitive/torchsharp-glibcxx/[0-9a-f]*/libLibTorchSharp.so' <<<"$(files MLNetAutoencoders.TorchSharp)" \
  || fail "MLNetAutoencoders.TorchSharp lacks the patched libLibTorchSharp.so"
grep -q 'libtorch_cpu' <<<"$(files mlae)" && fail "the mlae tool package carries LibTorch"
grep -Eq 'runtimes/.*\.(pdb|dbg|dwarf)$' <<<"$(files mlae)" && fail "the mlae tool package carries native debug symbols (runtimes/*.pdb, .dbg or .dwarf)"
# The experiments (built-in datasets with their install paths, the comparison and pretraining harnesses) live in
# MLNetAutoencoders.Experiments, which no package ships: the core's assembly must not define any of their types (type
# names are whole strings in the assembly's metadata).
unzip -q -o "$FEED/MLNetAutoencoders.$VERSION.nupkg" 'lib/*' -d "$WORK/core"
names="$(strings -n 4 "$WORK/core/lib/net10.0/MLNetAutoencoders.dll")"
for type in FashionMnist Faces BreastCancer DataPaths BuiltInDatasets PretrainingExperiment PretrainingExperimentOptions PretrainKind PretrainMode; do
  grep -qx "$type" <<<"$names" && fail "the MLNetAutoencoders package defines the experiment type $type"
done
# Likewise the ML.NET package: the datasets' ML.NET views and the comparison harness are the experiments'.
unzip -q -o "$FEED/MLNetAutoencoders.MLNet.$VERSION.nupkg" 'lib/*' -d "$WORK/mlnet"
names="$(strings -n 4 "$WORK/mlnet/lib/net10.0/MLNetAutoencoders.MLNet.dll")"
for type in ImageDataViews FeaturizerSettings ComparisonFigures ComparisonReport; do
  grep -qx "$type" <<<"$names" && fail "the MLNetAutoencoders.MLNet package defines the experiment type $type"
done

# A console project outside the repository, referencing packages only (the temp folder has its own nuget.config that
# adds the packed folder to the user's sources).
cat >"$WORK/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><add key="packed" value="$FEED" /></packageSources></configuration>
EOF
new_app() { # NAME PACKAGE[@VERSION]...
  local dir="$WORK/$1"; shift
  dotnet new console -o "$dir" --framework net10.0 --no-restore >/dev/null
  for p in "$@"; do   # ID@VERSION, or ID alone for NuGet's newest
    local version=(); [[ "$p" == *@* ]] && version=(--version "${p#*@}")
    dotnet add "$dir" package "${p%@*}" "${version[@]}" >"$dir.add.log" 2>&1 || { cat "$dir.add.log"; fail "dotnet add package ${p%@*}"; }
  done
}
quickstart() { # NAME → the code between README's markers
  sed -n "/<!-- quickstart:$1 -->/,/<!-- \/quickstart:$1 -->/p" "$REPO/README.md" | sed '1,2d;$d' | sed '$d'
}
run_app() { # DIR → runs it there, output to DIR/out.txt
  (cd "$1" && dotnet run -c Release) >"$1/out.txt" 2>&1 || { cat "$1/out.txt"; fail "$(basename "$1") exited non-zero"; }
  sed 's/^/    /' "$1/out.txt"
}

# 2. README's CSV quick start.
say "CSV quick start"
new_app csv "MLNetAutoencoders.MLNet@$VERSION" "Microsoft.ML.OnnxRuntime@$ORT_VERSION"
quickstart csv >"$WORK/csv/Program.cs"
[ -s "$WORK/csv/Program.cs" ] || fail "README has no quickstart:csv section"
"$PY" - "$WORK/csv/data.csv" <<'EOF'
import sys, numpy as np
rng = np.random.default_rng(0)
y = rng.integers(0, 2, 400)
x = rng.normal(size=(400, 12)) + np.outer(2 * y - 1, np.linspace(1.0, 0.2, 12))   # class signal in every feature
with open(sys.argv[1], "w") as f:
    f.write("Label," + ",".join(f"f{i}" for i in range(12)) + "\n")
    for label, row in zip(y, x):
        f.write(f"{label}," + ",".join(f"{v:.5f}" for v in row) + "\n")
EOF
run_app "$WORK/csv"
grep -q 'Accuracy' "$WORK/csv/out.txt" || fail "the CSV quick start printed no Accuracy line"
[ -s "$WORK/csv/model.zip" ] || fail "the CSV quick start wrote no model.zip"

# 3. README's pictures quick start on 64 faces (PNG; half grey 25×25, half colour 50×50).
say "pictures quick start"
new_app images "MLNetAutoencoders.MLNet@$VERSION" "Microsoft.ML.OnnxRuntime@$ORT_VERSION" \
  "Microsoft.ML.ImageAnalytics@$ML_VERSION" "SkiaSharp.NativeAssets.Linux.NoDependencies@$SKIA_FOR_ML"
quickstart images >"$WORK/images/Program.cs"
[ -s "$WORK/images/Program.cs" ] || fail "README has no quickstart:images section"
mkdir -p "$WORK/images/images"
"$PY" - /usr/local/share/mlnetautoencoders/lfw_subset.npy "$WORK/images/images" <<'EOF'
import struct, sys, zlib, numpy as np
faces = np.load(sys.argv[1])[:64]
def png(path, pixels, colour):
    h, w = pixels.shape[:2]
    raw = b"".join(b"\0" + pixels[r].tobytes() for r in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    head = struct.pack(">IIBBBBB", w, h, 8, 2 if colour else 0, 0, 0, 0)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
for i, face in enumerate(faces):
    g = (face * 255).round().astype(np.uint8)
    if i % 2:
        g = np.repeat(np.repeat(g, 2, 0), 2, 1)
        png(f"{sys.argv[2]}/face{i:02}.png", np.ascontiguousarray(np.stack([g, g // 2 + 64, 255 - g], -1)), True)
    else:
        png(f"{sys.argv[2]}/face{i:02}.png", g, False)
EOF
run_app "$WORK/images"
[ "$(wc -l <"$WORK/images/out.txt")" -ge 1 ] || fail "the pictures quick start printed nothing"
[ -s "$WORK/images/images-model.zip" ] || fail "the pictures quick start wrote no images-model.zip"

# 4. The TorchSharp engine in a user's program (on Debian 12 it needs the package's libstdc++ fix).
say "TorchSharp engine from the package"
new_app torch "MLNetAutoencoders.TorchSharp@$VERSION" "TorchSharp-cpu@$TS_VERSION"
cat >"$WORK/torch/Program.cs" <<'EOF'
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.TorchSharp;

var rng = new Random(0);
var x = new Matrix(256, 8, Enumerable.Range(0, 256 * 8).Select(_ => (float)rng.NextDouble()).ToArray());
var options = new AutoencoderOptions { HiddenSizes = [], CodeSize = 3, Epochs = 3, BatchSize = 32, Seed = 1, Engine = new TorchSharpEngine() };
AutoencoderModel model = new AutoencoderTrainer(options).Fit(x);
Console.WriteLine($"engine {model.History.Engine}, final training loss {model.History.Epochs[^1].TrainLoss:G4}");
EOF
run_app "$WORK/torch"
grep -q 'engine torchsharp' "$WORK/torch/out.txt" || fail "the TorchSharp program did not train on the TorchSharp engine"

# 5. The mlae tool.
say "mlae as a .NET tool"
dotnet tool install mlae --version "$VERSION" --add-source "$FEED" --tool-path "$WORK/tools" >"$WORK/tool.log" 2>&1 || { cat "$WORK/tool.log"; fail "dotnet tool install mlae"; }
printed="$("$WORK/tools/mlae" --version)"
[ "$printed" = "$VERSION" ] || fail "mlae --version printed '$printed', expected $VERSION"
say "mlae --version: $printed"
for backend in managed torchsharp; do
  # the JSON line is the last line of standard output
  (cd "$WORK" && "$WORK/tools/mlae" train --dataset csv/data.csv --label-column Label --scale --code 3 --epochs 2 --backend "$backend" \
     --out "mlae-$backend.mlae" --json) >"$WORK/train-$backend.json" 2>"$WORK/train-$backend.err" \
    || { cat "$WORK/train-$backend.err"; fail "mlae train --backend $backend"; }
  "$PY" - "$WORK/train-$backend.json" "$backend" <<'EOF' || fail "mlae train --backend $backend: unexpected output"
import json, math, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert r["backend"] == sys.argv[2], r["backend"]
losses = [e["trainLoss"] for e in r["epochs"]]
assert len(losses) == 2 and all(math.isfinite(v) for v in losses), losses
EOF
  [ -s "$WORK/mlae-$backend.mlae" ] || fail "mlae train --backend $backend wrote no model"
  say "mlae train --backend $backend: ok"
done
say "all passed in $((SECONDS - started)) s"
