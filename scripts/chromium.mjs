/** Debian's chromium, quiet: no background traffic, so tests and benchmarks can check that nothing leaves 127.0.0.1. */
export const chromiumPath = '/usr/bin/chromium';
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
