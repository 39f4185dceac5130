import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runAgree } from '../../src/cli/agree';

const directory = mkdtempSync(path.join(os.tmpdir(), 'labelwise-agree-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function agree(args: string[]) {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const read = (stream: PassThrough) => {
    const parts: Buffer[] = [];
    stream.on('data', (part: Buffer) => parts.push(part));
    return () => Buffer.concat(parts).toString('utf8');
  };
  const [out, err] = [read(stdout), read(stderr)];
  const code = await runAgree(args, stdout, stderr);
  return { code, stdout: out(), stderr: err() };
}

function file(name: string, lines: string[]): string {
  const target = path.join(directory, name);
  writeFileSync(target, `${lines.join('\n')}\n`);
  return target;
}

describe('labelwise agree', () => {
  it('writes the statistics as JSON, reports bad lines with file and line, and exits 1 for them', async () => {
    const a = file('a.jsonl', [
      '{"id": "1", "text": "x", "labels": ["L"], "status": "corrected"}',
      '{"id": "2", "text": "x", "labels": [], "status": "accepted"}',
      'not json',
      '{"id": "3", "text": "x", "labels": ["L"], "status": "predicted"}',
    ]);
    const b = file('b.jsonl', [
      '{"id": "2", "text": "x", "labels": ["L"], "status": "corrected"}',
      '{"id": "1", "text": "x", "labels": ["L"], "status": "accepted"}',
      '{"id": "3", "text": "x", "labels": "L", "status": "accepted"}',
    ]);
    const { code, stdout, stderr } = await agree(['--a', a, '--b', b]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${a}:3: invalid JSON`);
    expect(stderr).toContain(`${b}:3: field "labels": expected a list of strings`);
    const result = JSON.parse(stdout);
    expect(result.documents).toBe(2);
    expect(result.labels.L).toEqual({ agreement: 0.5, kappa: 0, kappa_ci: expect.any(Array), both: 1, only_a: 0, only_b: 1, neither: 0 });
    expect(Object.keys(result.labels)).toEqual(['L', '*']);
  });

  it('refuses a missing option or file with exit code 2', async () => {
    expect((await agree(['--a', 'x.jsonl'])).code).toBe(2);
    const missing = await agree(['--a', path.join(directory, 'none.jsonl'), '--b', path.join(directory, 'none.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
  });
});
