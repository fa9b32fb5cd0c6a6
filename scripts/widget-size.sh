#!/usr/bin/env bash
# Sizes of the built widget (dist/) and the loader, raw and gzipped; fails when the
# release .wasm is over its budget (WASM_BUDGET_KB, default 410 KB = 410,000 bytes
# gzipped).
set -euo pipefail
cd "$(dirname "$0")/.."
budget_kb="${WASM_BUDGET_KB:-410}"
shopt -s nullglob
wasm=(dist/*_bg.wasm)
[ ${#wasm[@]} -eq 1 ] || { echo "expected one .wasm in dist/, found ${#wasm[@]} (build the widget first)" >&2; exit 1; }
printf '%-48s %10s %12s\n' file bytes gzipped
for f in dist/*.wasm dist/*.js dist/*.css public/embed.js; do
  printf '%-48s %10d %12d\n' "$f" "$(stat -c %s "$f")" "$(gzip -9 -c "$f" | wc -c)"
done
gz=$(gzip -9 -c "${wasm[0]}" | wc -c)
if [ "$gz" -gt $((budget_kb * 1000)) ]; then
  echo "the widget's .wasm is $gz bytes gzipped, over the ${budget_kb} KB budget" >&2
  exit 1
fi
echo "widget .wasm: $gz bytes gzipped ($((gz / 1000)) KB; budget ${budget_kb} KB)"
