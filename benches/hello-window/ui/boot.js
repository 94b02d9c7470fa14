import init from './hello-window-ui.js';
init();
