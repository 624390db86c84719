#!/usr/bin/env bash
# Regenerates the public-API files of every packaged library (each project folder under src/ with a
# PublicAPI.Shipped.txt): PublicAPI.Unshipped.txt becomes exactly the public API of the current code that is not in
# PublicAPI.Shipped.txt. Microsoft.CodeAnalysis.PublicApiAnalyzers then fails the build (RS0016/RS0017) whenever the
# code and these files differ, so every API change shows up as a reviewed diff of these files.
#   bash scripts/public-api.sh          after an intended API change (or a merge): rewrite the Unshipped files
#   bash scripts/public-api.sh --ship   at a release: move every Unshipped line into Shipped
# Removing or changing an API that is in Shipped is a breaking change: the script stops and names the project; delete
# the line from PublicAPI.Shipped.txt by hand (and note it in CHANGELOG.md), then run it again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
header="#nullable enable"

# Core first: the others reference it and must build against its regenerated files.
for shipped in src/MLNetAutoencoders/PublicAPI.Shipped.txt $(ls src/*/PublicAPI.Shipped.txt | grep -v '^src/MLNetAutoencoders/'); do
  dir="$(dirname "$shipped")"
  unshipped="$dir/PublicAPI.Unshipped.txt"
  project="$dir/$(basename "$dir").csproj"
  if [ "${1:-}" = "--ship" ]; then
    { echo "$header"; cat "$shipped" "$unshipped" | grep -v -e "^$header\$" -e '^$' | LC_ALL=C sort -u; } >"$shipped.tmp"
    mv "$shipped.tmp" "$shipped"
    echo "$header" >"$unshipped"
    echo "public-api: $dir: Unshipped moved into Shipped"
    continue
  fi
  echo "$header" >"$unshipped"
  # Build with the Unshipped file emptied: the analyzers report every public declaration that is not in Shipped as
  # RS0016, quoting it in the files' own format (generated code included, e.g. the ONNX protobuf classes).
  out="$(dotnet build "$project" -c Release --no-incremental -v q -nologo -clp:NoSummary 2>&1 || true)"
  { echo "$header"; sed -n "s/.*error RS0016: Symbol '\(.*\)' is not part of the declared public API.*/\1/p" <<<"$out" | LC_ALL=C sort -u; } >"$unshipped"
  # What a rewrite cannot settle: a Shipped line whose API is gone (RS0017), or any other error.
  if ! out="$(dotnet build "$project" -c Release -v q -nologo -clp:NoSummary 2>&1)"; then
    grep -E ': error ' <<<"$out" | sort -u | head -20 >&2 || true
    echo "public-api: $project does not build with the regenerated file (above; RS0017 = an API in PublicAPI.Shipped.txt was removed)" >&2
    exit 1
  fi
  echo "public-api: $dir: $(($(wc -l <"$unshipped") - 1)) unshipped, $(($(wc -l <"$shipped") - 1)) shipped"
done
