import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Workbox } from 'workbox-window';
import { App } from './ui/shell/App';
import './ui/shell/shell.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// The service worker (src/sw/sw.ts) makes the app work offline after one visit; there is none in dev.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  void new Workbox(`${import.meta.env.BASE_URL}sw.js`).register();
}
