#!/usr/bin/env bash
# Regenerates the cost table of docs/PERFORMANCE.md: each scale in configs/perf/ (the calibrated
# scenario with sellers = consumers / 10, plots off) at 1 and 2 threads. Wall time and peak
# memory come from /usr/bin/time -v, the time in the shopping step from manifest.json.
#
#   scripts/cost_curve.sh [SCALE...]      (default: c1e5 c3e5 c1e6 c3e6 c1e7 c2e7)
#
# Runs go to outputs/perf/<scale>-t<threads>/ (replaced); the table is printed as Markdown.
# Run it on an otherwise idle machine: `uptime` should show a load below 0.5.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(c1e5 c3e5 c1e6 c3e6 c1e7 c2e7)
mkdir -p outputs/perf

# A number from the manifest: `field` at top level, or the seconds of step `field`.
manifest() {
    local file=$1 field=$2
    if grep -q "\"step\": \"$field\"" "$file"; then
        grep -A1 "\"step\": \"$field\"" "$file" | sed -n 's/.*"seconds": \([0-9.e+-]*\).*/\1/p'
    else
        sed -n "s/^  \"$field\": \([0-9.e+-]*\),\{0,1\}$/\1/p" "$file" | head -1
    fi
}

echo "| consumers | sellers | threads | wall s | peak RSS MiB | us per consumer-week | shopping s | shopping M decisions/s | speed-up |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for scale in "${scales[@]}"; do
    one=""
    for threads in 1 2; do
        dir=outputs/perf/$scale-t$threads
        /usr/bin/time -v target/release/sim run "configs/perf/$scale.ron" --out "$dir" --threads "$threads" \
            --quiet --force 2> "$dir.time"
        wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir.time" \
            | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir.time")
        m=$dir/manifest.json
        consumers=$(grep '"consumers"' "$m" | sed 's/[^0-9]//g')
        sellers=$(grep '"sellers"' "$m" | sed 's/[^0-9]//g')
        weeks=$(manifest "$m" weeks)
        shop=$(manifest "$m" shopping)
        ticks=$(( weeks + $(manifest "$m" warmup_weeks) ))
        [ -n "$one" ] || one=$wall
        awk -v c="$consumers" -v s="$sellers" -v t="$threads" -v w="$wall" -v r="$rss" -v sh="$shop" \
            -v n="$ticks" -v one="$one" 'BEGIN {
                printf "| %d | %d | %d | %.1f | %.0f | %.3f | %.1f | %.1f | %s |\n",
                    c, s, t, w, r / 1024, w * 1e6 / (c * n), sh, c * n / sh / 1e6,
                    (t == 1 ? "" : sprintf("%.2fx", one / w))
            }'
    done
done
