/** A scheme file: the shape of data/<set>/labels.json, with an optional "task" (default multi_label). */
import type { Scheme } from './learner';

export class SchemeError extends Error {}

export function parseScheme(content: unknown, file = 'scheme'): Scheme {
  const fail = (field: string | undefined, detail: string): never => {
    throw new SchemeError(field === undefined ? `${file}: ${detail}` : `${file}: field "${field}": ${detail}`);
  };
  if (typeof content !== 'object' || content === null || Array.isArray(content)) fail(undefined, 'expected a JSON object');
  const root = content as Record<string, unknown>;
  const task = root.task ?? 'multi_label';
  if (task !== 'multi_label' && task !== 'single_label') fail('task', 'expected "multi_label" or "single_label"');
  if (!Array.isArray(root.labels) || root.labels.length === 0) fail('labels', 'expected a non-empty array');
  const seen = new Set<string>();
  const labels = (root.labels as unknown[]).map((entry, index) => {
    const path = `labels[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(path, 'expected an object');
    const label = entry as Record<string, unknown>;
    if (typeof label.name !== 'string' || label.name.trim() === '') fail(`${path}.name`, 'expected a non-empty string');
    const name = label.name as string;
    if (seen.has(name)) fail(`${path}.name`, `duplicate label "${name}"`);
    seen.add(name);
    const description = label.description ?? '';
    if (typeof description !== 'string') fail(`${path}.description`, 'expected a string');
    return { name, description: description as string };
  });
  return { task: task as Scheme['task'], labels };
}
