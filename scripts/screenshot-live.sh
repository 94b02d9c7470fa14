#!/usr/bin/env bash
# The Overview on live clusters, as committed in docs/screenshots/overview-live.png: two kmock
# emulators seeded with the demo's prod-eu and prod-us, then prod-us's emulator stopped, plus a
# kubeconfig file with a broken entry. Needs the set-up (`cargo xtask setup`) and the UI built
# (`cargo xtask build-ui`).
#
#   scripts/screenshot-live.sh [OUTPUT.png [VIEW]]      (VIEW: overview, drift, routes, …)
set -euo pipefail
cd "$(dirname "$0")/.."
output=${1:-docs/screenshots/overview-live.png}
view=${2:-overview}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --quiet -p sextant-e2e --example emulated_fleet
cargo build --quiet -p sextant-cli
mkfifo "$work/control"
target/debug/examples/emulated_fleet "$work/emulated.kubeconfig" prod-eu prod-us <"$work/control" >"$work/fleet.log" 2>&1 &
exec 3>"$work/control"
until grep -q ready "$work/fleet.log" 2>/dev/null; do sleep 0.2; done
# A second kubeconfig file whose one context names a cluster no file defines.
cat >"$work/broken.kubeconfig" <<YAML
apiVersion: v1
kind: Config
contexts:
- name: lab
  context: {cluster: lab-cluster, user: lab-user}
users:
- name: lab-user
  user: {token: lab}
YAML
HOME=$work KUBECONFIG="$work/emulated.kubeconfig:$work/broken.kubeconfig" \
  target/debug/sextant serve >"$work/serve.log" 2>&1 &
until grep -q 'sextant serve: open' "$work/serve.log" 2>/dev/null; do sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/serve.log")
sleep 8
echo "stop prod-us" >&3
sleep 8
node --input-type=module -e "
import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
await page.goto('$url');
await page.locator('[data-testid=\"platform-name\"]').waitFor({ timeout: 30000 });
await page.locator('[data-testid=\"nav-$view\"]').click();
await page.waitForTimeout(2000);
await page.screenshot({ path: '$output' });
await browser.close();
"
echo "wrote $output"
