import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { isQuotaError } from './db';

describe('isQuotaError', () => {
  it('recognises the browser error, Dexie’s, and either wrapped in a transaction abort', () => {
    const browser = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    expect(isQuotaError(browser)).toBe(true);
    expect(isQuotaError(new Dexie.QuotaExceededError('full'))).toBe(true);
    expect(isQuotaError(new Dexie.AbortError('Transaction aborted', browser))).toBe(true);
  });

  it('does not mistake other failures for a full disk', () => {
    expect(isQuotaError(new Dexie.ConstraintError('key exists'))).toBe(false);
    expect(isQuotaError(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
  });
});
