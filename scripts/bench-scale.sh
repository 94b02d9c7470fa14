#!/usr/bin/env bash
# Live clusters at scale (BENCHMARKS.md): N in-process API servers with M objects each, then a
# release `sextant serve` watching them all. Prints the time until every cluster is synced, the
# server's resident memory, and the latency of the commands the Overview, the Routes view and
# the search box send, served from the cache (median of 15 calls each, curl's time_total).
#
#   scripts/bench-scale.sh [clusters] [objects-per-cluster]      (default 5 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
clusters=${1:-5}
per_cluster=${2:-20000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --quiet --release -p sextant-e2e --example scale_servers
cargo build --quiet --release -p sextant-cli
target/release/examples/scale_servers "$clusters" "$per_cluster" "$work/kubeconfig" >"$work/servers.log" &
until grep -q ready "$work/servers.log" 2>/dev/null; do sleep 0.2; done

start=$(date +%s.%N)
HOME=$work KUBECONFIG=$work/kubeconfig SEXTANT_MAX_OBJECTS_PER_KIND=100000 \
  target/release/sextant serve >"$work/serve.log" 2>&1 &
serve=$!
until grep -q 'sextant serve: open' "$work/serve.log" 2>/dev/null; do sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/serve.log")
base=${url%%/?k=*}
key=${url##*k=}
call() { curl -s -o "$work/out.json" -w '%{time_total}\n' -X POST -H "x-sextant-key: $key" \
  -H 'content-type: application/json' -d "$2" "$base/api/$1"; }

expected=$((clusters * (per_cluster + 50)))
while :; do
  call get_overview '{}' >/dev/null
  total=$(python3 -c "import json;print(sum(c['counts']['objects'] for c in json.load(open('$work/out.json'))['clusters']))")
  [ "$total" -ge "$expected" ] && break
  sleep 0.2
done
synced=$(python3 -c "print(round($(date +%s.%N) - $start, 2))")
sleep 2
rss=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$serve/status)
hwm=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$serve/status)

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]*1000 " ms"}'; }
echo "fleet:            $clusters clusters x $per_cluster objects (+50 namespaces each) = $total objects"
echo "synced after:     ${synced} s (process start to every object in the Overview)"
echo "serve RSS:        ${rss} MiB now, ${hwm} MiB peak"
echo "get_overview:     $(for _ in $(seq 15); do call get_overview '{}'; done | median)"
echo "search 'app-1234':$(for _ in $(seq 15); do call search '{"query":"app-1234"}'; done | median)"
echo "search 'team-7 web': $(for _ in $(seq 15); do call search '{"query":"team-7 web"}'; done | median)"
echo "list_routes (cluster-0): $(for _ in $(seq 15); do call list_routes '{"cluster":"cluster-0"}'; done | median)"
if [ -f ui/dist/index.html ] && [ -d node_modules/playwright-core ]; then
  node scripts/bench-list-paint.mjs "$url"
fi
echo "serve RSS after:  $(awk '/VmRSS/ {print int($2/1024)}' /proc/$serve/status) MiB now, $(awk '/VmHWM/ {print int($2/1024)}' /proc/$serve/status) MiB peak (after the Routes view's graph index was built)"
