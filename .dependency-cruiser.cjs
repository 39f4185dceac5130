/**
 * The layering rule, checked by `npm run lint` (scripts/check-layers.mjs): ui → store → worker → core, io;
 * cli → core, io. A floor imports only from the floors below it, and no module imports itself round a cycle.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can change or be tested alone.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-io-stay-below',
      severity: 'error',
      comment:
        'src/core and src/io are shared by the page, the worker and the CLI: they know nothing above them. ' +
        'Known exception: core tests read the real model folder through the test support in src/cli/testing.ts ' +
        '(Node-only, imported by tests alone); moving it touches every test file that others are editing now. ' +
        'Only the CLI opens model folders from disk, so core tests do so through it too.',
      from: { path: '^src/(core|io)/' },
      to: { path: '^src/(ui|store|worker|cli)/', pathNot: '^src/cli/(testing|shared)\\.ts$' },
    },
    {
      name: 'core-io-code-stays-below',
      severity: 'error',
      comment: 'The exception above is for tests alone: core and io code never imports the CLI.',
      from: { path: '^src/(core|io)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/(ui|store|worker|cli)/' },
    },
    {
      name: 'worker-below-store',
      severity: 'error',
      comment: 'The workers run on core and io only; the page reaches them, never the other way round.',
      from: { path: '^src/worker/' },
      to: { path: '^src/(ui|store|cli)/' },
    },
    {
      name: 'store-below-ui',
      severity: 'error',
      comment: 'Stores hold state and call the workers; the views read them.',
      from: { path: '^src/store/' },
      to: { path: '^src/(ui|cli)/' },
    },
    {
      name: 'cli-on-core-io',
      severity: 'error',
      comment: 'The CLI runs the same core as the page, under Node: no React, no stores, no Web Workers.',
      from: { path: '^src/cli/' },
      to: { path: '^src/(ui|store|worker)/' },
    },
    {
      name: 'ui-not-cli',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'ui-calls-workers-through-store',
      severity: 'error',
      comment: 'Views may name the workers’ types (src/worker/api.ts) but call the workers through a store.',
      from: { path: '^src/ui/' },
      to: { path: '^src/worker/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    // Type-only imports count: a cycle through types still ties two modules together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
