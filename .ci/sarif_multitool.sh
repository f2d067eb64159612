#!/usr/bin/env bash
# Validate a SARIF file with Microsoft's SARIF Multitool (schema + SARIF authoring rules).
# Usage: .ci/sarif_multitool.sh FILE
# Installs @microsoft/sarif-multitool into .ci/.node on first use (~5 s, ~100 MB; gitignored).
# The Multitool exits 0 even when it reports errors, so we count its "error" lines ourselves.
set -euo pipefail

if [[ $# -ne 1 || ! -f "$1" ]]; then
  echo "usage: $0 FILE.sarif" >&2
  exit 2
fi
file=$1
here=$(cd "$(dirname "$0")" && pwd)
prefix="$here/.node"
tool="$prefix/node_modules/.bin/sarif-multitool"

if [[ ! -x "$tool" ]]; then
  echo "installing @microsoft/sarif-multitool into $prefix" >&2
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error @microsoft/sarif-multitool >&2
fi

output=$("$tool" validate "$file") || { echo "$output"; echo "sarif-multitool failed to run" >&2; exit 2; }
echo "$output"
errors=$(grep -cE '\): error [A-Z]+[0-9]+:' <<<"$output" || true)
if [[ "$errors" -gt 0 ]]; then
  echo "sarif-multitool: $errors error(s) in $file" >&2
  exit 1
fi
