/** Teach (issue 19): files in and out of a scheme: a shipped model's labels to start from, the model to export. */
import { parseScheme, type Scheme } from '../core/learner';
import { learnWorker } from '../worker/learn-bridge';
import { useTeach } from './teach';

/** Downloads the scheme's current model as a taught model folder, zipped (`labelwise classify --model DIR` runs it unzipped). */
export async function exportTaughtModel(): Promise<{ file: string; version: number; decisions: number }> {
  const { scheme, phase } = useTeach.getState();
  if (!scheme || phase !== 'ready') throw new Error('Teach: the scheme has no model yet');
  const exported = await learnWorker().exportFolder({
    id: scheme.id,
    trained: { by: 'labelwise page (Teach)', scheme: scheme.name, exported_at: new Date().toISOString() },
  });
  const file = `${scheme.id}-v${exported.version}.zip`;
  const url = URL.createObjectURL(new Blob([exported.zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file;
  link.click();
  // Give the download a moment to start before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { file, version: exported.version, decisions: exported.decisions };
}

/** A shipped model's labels (names and descriptions) to start a scheme from. */
export async function shippedModelScheme(id: string): Promise<Scheme> {
  const response = await fetch(`${import.meta.env.BASE_URL}models/${encodeURIComponent(id)}/model.json`);
  if (!response.ok) throw new Error(`models/${id}/model.json: HTTP ${response.status}`);
  return parseScheme(await response.json(), `models/${id}/model.json`);
}
