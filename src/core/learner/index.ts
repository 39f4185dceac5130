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
 * const learner = new Learner(scheme, descriptions, allFeatures);    // the pool: its idf is frozen here
 * learner.score(d); learner.train(decisions); learner.attention(d, label);
 * learner.addDocuments(moreFeatures);                                // imported later: indices follow on
 * const state = learner.exportState();                               // IndexedDB (typed arrays + JSON values)
 * const again = Learner.fromState(state, allFeatures);               // the same scores, trains on from there
 * const files = await writeTaughtFolder(learner, readEncoderFile, { id: 'my-scheme' }); // {name: bytes}
 * const taught = await loadTaughtFolder(read);                       // taught.learner.scoreFeatures(features)
 * const classifier = createTaughtClassifier(taught, await openEncoderSession(ort, taught.graph, opts));
 * ```
 * `modelFolderKind(read)` tells a folder's kind ("classifier", "taught" or "encoder") before loading it.
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
export type { Decision, LearnerSettings, LearnerState, Scheme, SchemeLabel, TrainingReport } from './learner';
export { DEFAULT_SETTINGS, LEARNER_FORMAT, Learner } from './learner';
export { parseScheme, SchemeError } from './scheme';
export { recallAt, screeningOrder, wssAt } from './screening';
export { packState, unpackState } from './state';
export type { LoadedTaught, TaughtFolderOptions, TaughtManifest } from './taught-folder';
export {
  createTaughtClassifier,
  loadTaughtFolder,
  modelFolderKind,
  TAUGHT_GRAPH_FILE,
  TAUGHT_LEARNER_FILE,
  writeTaughtFolder,
} from './taught-folder';
