import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURES_END, FIGURES_START, REPO_ROOT, readInputs, renderHeadline, renderResults, withHeadline } from '../../scripts/results-doc';

describe('generated figures', () => {
  const inputs = readInputs(REPO_ROOT);

  it('docs/results.md is what npm run docs:results writes from the committed JSON', () => {
    const committed = readFileSync(join(REPO_ROOT, 'docs/results.md'), 'utf8');
    expect(committed, 'docs/results.md is stale: run npm run docs:results').toBe(renderResults(inputs));
  });

  it("the README's figures block is what npm run docs:results writes", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme, "README.md's figures block is stale: run npm run docs:results").toBe(withHeadline(readme, renderHeadline(inputs)));
  });

  it('a changed figure in a result file changes the rendered docs', () => {
    const browser = structuredClone(inputs.results['browser-latency.json']);
    browser.wasm.latency.median_ms += 1;
    const changed = { ...inputs, results: { ...inputs.results, 'browser-latency.json': browser } };
    expect(renderHeadline(changed)).not.toBe(renderHeadline(inputs));
    expect(renderResults(changed)).not.toBe(renderResults(inputs));
  });

  it('refuses a README without the figures markers', () => {
    expect(() => withHeadline('# no markers\n', 'x')).toThrow(FIGURES_START);
    expect(withHeadline(`a\n${FIGURES_START}\nold\n${FIGURES_END}\nb\n`, 'new')).toBe(`a\n${FIGURES_START}\nnew\n${FIGURES_END}\nb\n`);
  });
});
