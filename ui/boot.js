// Loads the wasm UI. A failure is written into the page, so screenshots, WebDriver and Playwright
// all see it (WebKit does not print console errors anywhere we can read).
import init from './sextant-ui.js';

init().catch((error) => {
  const box = document.getElementById('boot-error');
  box.hidden = false;
  box.textContent = `The UI failed to start: ${error && error.stack ? error.stack : error}`;
});
