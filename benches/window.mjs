// Start-up time and idle memory of a desktop app, measured the same way for Sextant and for the
// bare hello window (BENCHMARKS.md). Usage: node benches/window.mjs NAME BINARY TESTID TEXT [RUNS]
//
// Start-up: from the WebDriver session request (which launches the app) until the element
// [data-testid=TESTID] shows TEXT. WebDriver's own overhead is in both numbers, so compare them
// as a ratio. Memory: after 5 s idle, RSS and PSS from /proc/PID/smaps_rollup, summed over the
// app and its WebKit processes (the web and network processes), excluding the drivers.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const [name, binary, testid, expected, runs = '5'] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function webdriver(port, method, path, body) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
  return json.value;
}

function processesInGroup(pgid) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) found.push({ pid: Number(entry), comm: readFileSync(`/proc/${entry}/comm`, 'utf8').trim() });
    } catch { /* the process ended */ }
  }
  return found;
}

function memoryKiB(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
  return { rss: field('Rss'), pss: field('Pss') };
}

const results = [];
for (let run = 0; run < Number(runs); run++) {
  const port = 5100 + Math.floor(Math.random() * 800);
  const driver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(port + 1)], { detached: true, stdio: 'ignore' });
  for (let attempt = 0; attempt < 100; attempt++) {
    try { await fetch(`http://127.0.0.1:${port}/status`); break; } catch { await sleep(50); }
  }
  let session;
  try {
    const started = performance.now();
    session = (await webdriver(port, 'POST', '/session', { capabilities: { alwaysMatch: { 'tauri:options': { application: binary } } } })).sessionId;
    let ready = false;
    while (!ready) {
      if (performance.now() - started > 30000) throw new Error(`${name}: ${testid} never showed ${expected}`);
      try {
        const element = Object.values(await webdriver(port, 'POST', `/session/${session}/element`, { using: 'css selector', value: `[data-testid="${testid}"]` }))[0];
        ready = (await webdriver(port, 'GET', `/session/${session}/element/${element}/text`)).trim() === expected;
      } catch { /* not rendered yet */ }
      if (!ready) await sleep(10);
    }
    const startupMs = performance.now() - started;
    await sleep(5000);
    const memory = { rss: 0, pss: 0 };
    const counted = [];
    for (const process_ of processesInGroup(driver.pid)) {
      if (/^(tauri-driver|WebKitWebDriver)$/.test(process_.comm)) continue;
      const { rss, pss } = memoryKiB(process_.pid);
      memory.rss += rss; memory.pss += pss; counted.push(process_.comm);
    }
    results.push({ startupMs, rssMiB: memory.rss / 1024, pssMiB: memory.pss / 1024, processes: counted });
  } finally {
    if (session) await webdriver(port, 'DELETE', `/session/${session}`).catch(() => {});
    try { process.kill(-driver.pid, 'SIGTERM'); } catch {}
    await sleep(300);
    try { process.kill(-driver.pid, 'SIGKILL'); } catch {}
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(JSON.stringify({
  name, runs: results.length,
  startup_ms_median: Math.round(median(results.map((r) => r.startupMs))),
  startup_ms_all: results.map((r) => Math.round(r.startupMs)),
  rss_mib_median: Math.round(median(results.map((r) => r.rssMiB))),
  pss_mib_median: Math.round(median(results.map((r) => r.pssMiB))),
  processes: results[0]?.processes,
}));
