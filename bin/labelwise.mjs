#!/usr/bin/env node
// The CLI is TypeScript sharing src/core with the browser worker; tsx compiles it on the fly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
