import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/cli/testing';

const MAX_LINES = 300;
const REASON = /^\/\/ Over 300 lines: \S/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe('source files', () => {
  it(`over ${MAX_LINES} lines state why on their first line ("// Over 300 lines: ...")`, () => {
    const unexplained = sourceFiles(join(REPO_ROOT, 'src'))
      .filter((file) => {
        const lines = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
        return lines.length > MAX_LINES && !REASON.test(lines[0] ?? '');
      })
      .map((file) => relative(REPO_ROOT, file));
    expect(unexplained).toEqual([]);
  });
});
