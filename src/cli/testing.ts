/** Test support: the real model folder the tests run on (never a mock). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReadModelFile } from '../core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * LABELWISE_TEST_MODEL if set, else the shipped HoC model, else the tiny random model fixture
 * (same contract and tokenizer). Throws when none exists: the tests need a real model folder.
 */
export function testModelFolder(): string {
  const candidates = [
    process.env.LABELWISE_TEST_MODEL,
    path.join(REPO_ROOT, 'public/models/hoc-minilm-lame'),
    path.join(REPO_ROOT, 'tests/fixtures/tiny-model'),
  ].filter((folder): folder is string => folder !== undefined && folder !== '');
  const found = candidates.find((folder) => existsSync(path.join(folder, 'model.json')));
  if (found === undefined) throw new Error(`no model folder for tests; looked in ${candidates.join(', ')}`);
  return found;
}

export function folderReader(folder: string): ReadModelFile {
  return (name) => readFile(path.join(folder, name));
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `labelwise` bin as a child process. */
export function labelwise(args: string[], stdin: string | Buffer = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/labelwise.mjs'), ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
