import type { AnnotatedDoc } from './db';

/** A session document for unit tests: new, undecided, keyed by its id, with whatever the test sets. */
export function sessionDoc(id: string, extra: Partial<AnnotatedDoc> = {}): AnnotatedDoc {
  return {
    key: `id:${id}`,
    order: 0,
    id,
    text: id,
    status: 'new',
    decision: [],
    note: '',
    annotator: '',
    importedAt: 0,
    updatedAt: 0,
    ...extra,
  };
}
