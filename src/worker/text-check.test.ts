import { describe, expect, it } from 'vitest';
import { reasonNotToClassify } from './text-check';

describe('reasonNotToClassify', () => {
  it('accepts ordinary and non-English text, tabs and line breaks included', () => {
    expect(reasonNotToClassify('Tumour cells resist apoptosis.\n\tSecond line.')).toBeUndefined();
    expect(reasonNotToClassify('数据分析 данные ☃ 🧬 عربى')).toBeUndefined();
  });

  it('refuses empty and whitespace-only text', () => {
    expect(reasonNotToClassify('')).toMatch(/empty/);
    expect(reasonNotToClassify(' \n\t ')).toMatch(/empty/);
  });

  it('refuses binary data with the share of bad characters', () => {
    const binary = `PK\u0003\u0004\u0014\u0000\u0006\u0000\b\u0000\u0000\u0000!\u0000${'\ufffd'.repeat(20)}abc`;
    expect(reasonNotToClassify(binary)).toMatch(/binary data.*\d+%/);
  });

  it('tolerates a few stray control characters in real text', () => {
    const text = `${'Angiogenesis is induced by VEGF. '.repeat(10)}\u0000\u0001`;
    expect(reasonNotToClassify(text)).toBeUndefined();
  });
});
