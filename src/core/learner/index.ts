/**
 * Taught schemes: features from the pretrained encoder (once per document), then a learner that scores from the
 * label descriptions and learns from every decision. Shared by the learning worker and `labelwise simulate`.
 *
 * ```ts
 * const encoder = await loadEncoderFolder(read);                     // public/models/minilm-encoder
 * const session = await openEncoderSession(ort, encoder.graph, opts);
 * const fe = { tokenizer: encoder.tokenizer, session, hiddenSize: encoder.manifest.hiddenSize, maxLength: encoder.manifest.maxLength };
 * const features = await extractFeatures(text, fe);                  // keep serializeFeatures(features)
 * const descriptions = await describeLabels(scheme, fe);
 * const learner = new Learner(scheme, descriptions, allFeatures);
 * learner.score(d); learner.train(decisions); learner.attention(d, label);
 * ```
 */

export { describeLabels } from './describe';
export type { EncoderManifest, EncoderSession, LoadedEncoder, OrtEncoderModule } from './encoder';
export { loadEncoderFolder, openEncoderSession } from './encoder';
export type { DocumentFeatures, FeatureEncoder } from './features';
export {
  deserializeFeatures,
  embedTexts,
  extractFeatures,
  LEXICAL_BUCKETS,
  lexicalTerms,
  serializeFeatures,
  splitSentences,
} from './features';
export type { Decision, LearnerSettings, Scheme, SchemeLabel, TrainingReport } from './learner';
export { DEFAULT_SETTINGS, Learner } from './learner';
export { parseScheme, SchemeError } from './scheme';
export { recallAt, screeningOrder, wssAt } from './screening';
