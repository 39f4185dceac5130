import { embedTexts, type FeatureEncoder } from './features';
import type { Scheme } from './learner';

/** Each label's description vector; null where the description is empty. */
export async function describeLabels(scheme: Scheme, encoder: FeatureEncoder): Promise<Array<Float32Array | null>> {
  const texts = scheme.labels.map((label) => label.description.trim());
  const vectors = await embedTexts(
    encoder,
    texts.filter((text) => text !== ''),
  );
  let next = 0;
  return texts.map((text) => (text === '' ? null : (vectors[next++] as Float32Array)));
}
