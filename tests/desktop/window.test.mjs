// The real desktop window under Xvfb, driven through tauri-driver (WebKitWebDriver): open the
// app on the demo platform, read a value, switch views, read another.
//
// tauri-driver runs in its own process group and is killed as a group afterwards, so an app
// that outlives its WebDriver session cannot keep this runner waiting (../shared/toolchain.md
// pitfall 13).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url).pathname;
const app = process.env.SEXTANT_DESKTOP ?? `${root}target/debug/sextant-desktop`;
const port = 4444 + Math.floor(Math.random() * 1000);
let driver, session;

async function webdriver(method, path, body) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
  return json.value;
}

const element = async (testid) => {
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      const found = await webdriver('POST', `/session/${session}/element`, { using: 'css selector', value: `[data-testid="${testid}"]` });
      return Object.values(found)[0];
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
};
const textOf = async (testid) => webdriver('GET', `/session/${session}/element/${await element(testid)}/text`);

before(async () => {
  driver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(port + 1)], { detached: true, stdio: 'pipe' });
  driver.stdout.resume();
  driver.stderr.resume();
  for (let attempt = 0; attempt < 100; attempt++) {
    try { await fetch(`http://127.0.0.1:${port}/status`); break; } catch { await new Promise((resolve) => setTimeout(resolve, 100)); }
  }
  const created = await webdriver('POST', '/session', {
    capabilities: { alwaysMatch: { 'tauri:options': { application: app, args: ['--demo'] } } },
  });
  session = created.sessionId;
});

after(async () => {
  if (session) await webdriver('DELETE', `/session/${session}`).catch(() => {});
  if (driver) {
    try { process.kill(-driver.pid, 'SIGTERM'); } catch {}
    await new Promise((resolve) => setTimeout(resolve, 300));
    try { process.kill(-driver.pid, 'SIGKILL'); } catch {}
  }
});

test('the desktop window opens on the demo platform and switches views', async () => {
  assert.equal(await textOf('platform-name'), 'Northwind Outfitters');
  assert.equal(Number(await textOf('cluster-count')), 3);
  await webdriver('POST', `/session/${session}/element/${await element('nav-routes')}/click`, {});
  await element('view-routes');
  assert.equal(Number(await textOf('routes-total')), 23, 'the same count as in the browser, over Tauri IPC');
  await webdriver('POST', `/session/${session}/element/${await element('nav-vault')}/click`, {});
  assert.equal(Number(await textOf('vault-policies-total')), 12);
  const shot = await webdriver('GET', `/session/${session}/screenshot`);
  mkdirSync(`${root}test-results/screenshots`, { recursive: true });
  writeFileSync(`${root}test-results/screenshots/desktop-vault.png`, Buffer.from(shot, 'base64'));
});
