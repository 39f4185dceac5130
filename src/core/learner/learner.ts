// Over 300 lines: the pool statistics, the description prior, the SVM solve, scoring and the saved state of one learner belong together (issue 19).
/**
 * The learner of a taught scheme: scores every document from the label descriptions alone, then learns from each
 * decision. Plain TypeScript, no DOM: the page's learning worker and `labelwise simulate` run this same code.
 *
 * Per label, a document's logit is, before the label's first decision, the description prior
 *   z = b0 + A(d) - mu,   A(d) = log mean_s exp(c_s),
 * a soft maximum over the document's sentences s of c_s = kappa * (description . e_s), the description's cosine with
 * the sentence's vector e_s (frozen encoder, mean-pooled), kappa scaling the prior logits to spread by PRIOR_SPREAD
 * over the pool and mu centring them; softmax_s(c_s) is the label's attention over the sentences (the paper's label
 * attention, over frozen sentence vectors) and its heatmap until the attention is learned. After decisions,
 *   z = logitScale * (g(d) - t),   g(d) = F(d) + semanticWeight * S(d) + lambda * (A(d) - mu) / PRIOR_SPREAD,
 * two linear SVMs (squared hinge, L2), each standardised over the pool: F over the document's TF-IDF of hashed word
 * unigrams and bigrams (idf frozen from the pool at construction), S over the label's attended vector
 * v(d) = sum_s softmax_s(a_s) e_s (unit length), what the label's attention reads from the document. The attention's
 * logits a_s start as the description's c_s and are learned from the decisions: the query becomes the description plus
 * the semantic SVM's unit weight vector (see learnAttention), each time the decisions have grown by a tenth. Both are
 * solved exactly after every decision by dual coordinate descent (Hsieh et al. 2008, liblinear's solver), warm-started
 * from the previous decisions' dual variables, the decisions weighted as ASReview LAB weighs them. The prior's weight
 * lambda = priorWeight / (1 + positives / priorHalfLife) fades as relevant documents are found, so the descriptions
 * lead the cold start and the decisions lead after it; t puts probability 1/2 so that the pool gets the decisions'
 * share of positives. A solve costs a few passes over the decided documents; scoring costs a document's terms and
 * one dot product per label.
 */
import type { Task } from '../manifest';
import { type DocumentFeatures, LEXICAL_BUCKETS } from './features';

export interface SchemeLabel {
  name: string;
  description: string;
}

export interface Scheme {
  task: Task;
  labels: SchemeLabel[];
}

export interface Decision {
  /** Index into the learner's documents. */
  doc: number;
  /** The labels the annotator gave (empty: none of them). */
  labels: string[];
}

export interface LearnerSettings {
  /** The lexical SVM's C (before the decision weights): lower regularises more. */
  C: number;
  /** The semantic SVM's C, and its standardised score's weight beside the lexical one's. */
  semanticC: number;
  semanticWeight: number;
  /** ASReview's "balanced" ratio: a positive decision weighs 1, a negative one n+ / (ratio n-). */
  positiveRatio: number;
  /** The description prior's weight beside the SVM's decision value, before any positive decision. */
  priorWeight: number;
  /** The prior's weight halves after this many positive decisions. */
  priorHalfLife: number;
  /** Logits per unit of the SVM's decision value (its margin at 1 is a probability of sigmoid(logitScale)). */
  logitScale: number;
}

export const DEFAULT_SETTINGS: LearnerSettings = {
  C: 0.11,
  semanticC: 0.11,
  semanticWeight: 0.45,
  positiveRatio: 9.8,
  priorWeight: 0.5,
  priorHalfLife: 3,
  logitScale: 2,
};

/** Standard deviation of the prior logits over the pool; the prior's start bias. */
const PRIOR_SPREAD = 1.5;
const PRIOR_BIAS = -2;
/** The dual solve stops when its projected gradients span less than this (liblinear's criterion), or after
 * MAX_EPOCHS passes. */
const TOLERANCE = 1e-2;
const MAX_EPOCHS = 200;
/** At most this many pool documents estimate each SVM's mean and spread after a solve. */
const STANDARD_SAMPLE = 500;
/** A starting classifier's logit enters the SVM as one more feature, scaled to about a TF-IDF value's size. */
const START_FEATURE_SCALE = 0.25;
/** A learned attention query is the description plus this much of the semantic SVM's unit weight vector. */
const ATTENTION_LEARNING = 1;
/** The attention is learned again once the decisions have grown by this factor and by ATTENTION_MIN_STEP since it
 * was last learned: each time costs a pass over every pool document's sentence vectors. */
const ATTENTION_GROWTH = 1.1;
const ATTENTION_MIN_STEP = 10;
/** Terms in more than this share of the pool carry no weight (as scikit-learn's max_df). */
const MAX_DOCUMENT_SHARE = 0.95;

export interface TrainingReport {
  version: number;
  decisions: number;
  milliseconds: number;
  /** Plain messages about this training (a label no decision has given yet, ...). */
  notes: string[];
}

interface LabelModel {
  /** The description's vector (zeros without a description) and the prior's scale on it. */
  query: Float64Array;
  kappa: number;
  mu: number;
  b0: number;
  /** The lexical SVM's weights by slot (see Learner.slotOf), its bias, and its weight on a starting classifier's
   * logit; the semantic SVM's weights over the hidden size and its bias. */
  weights: Float64Array;
  bias: number;
  startWeight: number;
  semantic: Float64Array;
  semanticBias: number;
  /** Mean and standard deviation over the pool of each SVM's decision value, when it was solved. */
  standard: Float64Array;
  /** t: where the probability crosses 1/2 on g. */
  offset: number;
  /** Decisions and positive ones the SVM was solved on (0 decisions: the prior alone). */
  decisions: number;
  positives: number;
  /** Dual variables of each decided document (by document index), the next solves' start. */
  alphas: Float64Array;
  semanticAlphas: Float64Array;
  /** The attention's query over the sentence vectors, kappa times unit length: the description until the label's
   * attention is first learned (see learnAttention), and the decisions it was last learned at (0: never). */
  attentionQuery: Float64Array;
  attentionDecisions: number;
}

/** A learner's trained state: JSON-able values and typed arrays (IndexedDB stores it as it is; see state.ts for
 * bytes). It holds everything scoring needs, so a learner restored from it scores any document as the original. */
export interface LearnerState {
  format: typeof LEARNER_FORMAT;
  scheme: Scheme;
  settings: LearnerSettings;
  version: number;
  decisionCount: number;
  notes: string[];
  hidden: number;
  /** Documents the idf was counted over. */
  documents: number;
  /** idf of each pool term (sorted; 0 for terms in nearly every document); a term the pool never had gets `unseenIdf`. */
  idfTerms: Uint32Array;
  idfValues: Float32Array;
  unseenIdf: number;
  /** The lexical slots' terms, in slot order. */
  slotTerms: Uint32Array;
  /** Per label, its model; the dual variables (to go on solving where it stopped) are absent in exported folders. */
  labels: Array<Omit<LabelModel, 'alphas' | 'semanticAlphas'> & Partial<Pick<LabelModel, 'alphas' | 'semanticAlphas'>>>;
}

export const LEARNER_FORMAT = 'labelwise-learner/3';

/** What the learner keeps per document: computed once, from its features. */
interface DocumentCache {
  /** Per label, c_s of each sentence, and A(d) - mu. */
  prior: Float32Array[];
  priorScore: Float64Array;
  /** Per label, the attention's logits over the sentences (the prior's c_s until the attention is learned) and the
   * attended vector v(d) (see attend). */
  attentionLogits: Float32Array[];
  attended: Float32Array[];
  /** The sentence vectors, for learning the attention again. */
  features: DocumentFeatures;
  terms: Uint32Array;
  tfidf: Float32Array;
  /** Lexical slot of each term, filled when the document is first decided. */
  slots: Int32Array | null;
  /** The starting classifier's logit per label minus its pool mean (startFromLogits); null: none. */
  start: Float32Array | null;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function grow(array: Float64Array, size: number): Float64Array {
  if (array.length >= size) return array;
  const bigger = new Float64Array(Math.max(size, array.length * 2, 1024));
  bigger.set(array);
  return bigger;
}

/** log mean_s exp(c_s); fills `attention` with softmax_s(c_s) when given. */
function softMax(prior: Float32Array, attention: Float64Array | null): number {
  const count = prior.length;
  if (count === 0) return 0;
  let peak = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < count; s++) peak = Math.max(peak, prior[s] as number);
  let total = 0;
  for (let s = 0; s < count; s++) {
    const e = Math.exp((prior[s] as number) - peak);
    if (attention !== null) attention[s] = e;
    total += e;
  }
  if (attention !== null) for (let s = 0; s < count; s++) attention[s] = (attention[s] as number) / total;
  return peak + Math.log(total / count);
}

/** softmax_s(logits): an attention over the sentences (empty for a document without sentences). */
function attentionWeights(logits: Float32Array): Float64Array {
  const attention = new Float64Array(logits.length);
  softMax(logits, attention);
  return attention;
}

export class Learner {
  readonly scheme: Scheme;
  /** Plain messages about the scheme (an empty description, ...), for the page and the CLI to show. */
  readonly notes: string[] = [];
  /** Trainings so far; 0 is the descriptions-only model. */
  version = 0;
  decisionCount = 0;
  private readonly settings: LearnerSettings;
  private readonly hidden: number;
  private readonly poolDocuments: number;
  private readonly idf: Map<number, number>;
  private readonly unseenIdf: number;
  private readonly models: LabelModel[];
  private readonly documents: DocumentCache[] = [];
  /** Lexical slot of each hashed term (-1: no decided document has it); slots are shared by all labels. */
  private readonly slotOf = new Int32Array(LEXICAL_BUCKETS).fill(-1);
  private slotTerms: number[] = [];
  private hasStartLogits = false;
  /** 0, 1, ..., hidden - 1: the semantic SVM's rows are dense. */
  private readonly hiddenIndices: Int32Array;

  constructor(
    scheme: Scheme,
    /** The description vectors (unit length), null for an empty description. */
    descriptions: Array<Float32Array | null>,
    documents: DocumentFeatures[],
    settings: Partial<LearnerSettings> = {},
    restored?: LearnerState,
  ) {
    if (scheme.labels.length === 0) throw new Error('scheme: needs at least one label');
    if (descriptions.length !== scheme.labels.length) throw new Error('learner: one description vector per label');
    this.scheme = scheme;
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    if (restored !== undefined) {
      this.hidden = restored.hidden;
      this.hiddenIndices = Int32Array.from({ length: this.hidden }, (_, k) => k);
      this.poolDocuments = restored.documents;
      this.idf = new Map(Array.from(restored.idfTerms, (term, i) => [term, restored.idfValues[i] as number]));
      this.unseenIdf = restored.unseenIdf;
      this.notes.push(...restored.notes);
      this.version = restored.version;
      this.decisionCount = restored.decisionCount;
      this.slotTerms = Array.from(restored.slotTerms);
      this.slotTerms.forEach((term, slot) => {
        this.slotOf[term] = slot;
      });
      this.models = restored.labels.map((label) => ({
        ...label,
        weights: label.weights.slice(),
        semantic: label.semantic.slice(),
        attentionQuery: label.attentionQuery.slice(),
        alphas: label.alphas?.slice() ?? new Float64Array(0),
        semanticAlphas: label.semanticAlphas?.slice() ?? new Float64Array(0),
      }));
      this.addDocuments(documents);
      return;
    }
    const first = documents.find((doc) => doc.scales.length > 0);
    this.hidden = first ? first.vectors.length / first.scales.length : (descriptions.find((d) => d !== null)?.length ?? 0);
    this.hiddenIndices = Int32Array.from({ length: this.hidden }, (_, k) => k);
    // The idf over the pool: smoothed, frozen from here on (documents added later and exported folders use it).
    const n = documents.length;
    const df = new Map<number, number>();
    for (const doc of documents) for (const term of doc.terms) df.set(term, (df.get(term) ?? 0) + 1);
    this.poolDocuments = n;
    const common = n >= 20 ? MAX_DOCUMENT_SHARE * n : n;
    this.idf = new Map(Array.from(df, ([term, count]) => [term, count > common ? 0 : Math.fround(Math.log((n + 1) / (count + 1)) + 1)]));
    this.unseenIdf = Math.fround(Math.log(n + 1) + 1);

    this.models = scheme.labels.map((label, l) => {
      const description = descriptions[l] ?? null;
      if (description === null) this.notes.push(`label "${label.name}" has no description: its scores start flat until it gets decisions`);
      return {
        query: Float64Array.from(description ?? new Float32Array(this.hidden)),
        kappa: 1,
        mu: 0,
        b0: scheme.task === 'single_label' ? 0 : PRIOR_BIAS,
        weights: new Float64Array(0),
        bias: 0,
        startWeight: 0,
        semantic: new Float64Array(this.hidden),
        semanticBias: 0,
        standard: Float64Array.of(0, 1, 0, 1),
        offset: 0,
        decisions: 0,
        positives: 0,
        alphas: new Float64Array(0),
        semanticAlphas: new Float64Array(0),
        attentionQuery: new Float64Array(this.hidden),
        attentionDecisions: 0,
      };
    });
    for (const doc of documents) this.documents.push(this.cache(doc, false));
    // The prior's scale kappa: its soft maxima spread by PRIOR_SPREAD over the pool; mu centres them.
    this.models.forEach((model, l) => {
      const raw = this.documents.map((doc) => softMax(doc.prior[l] as Float32Array, null));
      const mean = raw.reduce((sum, value) => sum + value, 0) / Math.max(1, n);
      const std = Math.sqrt(raw.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, n));
      const kappa = std > 1e-6 ? PRIOR_SPREAD / std : 0;
      const label = scheme.labels[l] as SchemeLabel;
      if (descriptions[l] !== null && kappa === 0 && n > 1)
        this.notes.push(`label "${label.name}": its description scores every document alike`);
      model.kappa = kappa;
      model.attentionQuery = model.query.map((value) => value * kappa);
      // As cache() computes them for documents added later: the rounded cosine times kappa, rounded.
      for (const doc of this.documents) doc.prior[l] = (doc.prior[l] as Float32Array).map((value) => value * kappa);
      const scaled = this.documents.map((doc) => softMax(doc.prior[l] as Float32Array, null));
      model.mu = scaled.reduce((sum, value) => sum + value, 0) / Math.max(1, n);
      this.documents.forEach((doc, d) => {
        doc.priorScore[l] = (scaled[d] as number) - model.mu;
      });
    });
    // The attended vectors, now that kappa sets the attention's sharpness.
    for (const doc of this.documents) this.attend(doc);
  }

  /** A learner from `exportState()`: it scores every document exactly as the learner that saved it, and trains on
   * from where it stopped. `documents` are its pool (the same order as before); more can be added later. */
  static fromState(state: LearnerState, documents: DocumentFeatures[] = []): Learner {
    if (state.format !== LEARNER_FORMAT) throw new Error(`learner state: format "${state.format}", expected "${LEARNER_FORMAT}"`);
    if (state.labels.length !== state.scheme.labels.length) throw new Error('learner state: one model per label expected');
    return new Learner(
      state.scheme,
      state.scheme.labels.map(() => null),
      documents,
      state.settings,
      state,
    );
  }

  /** The trained state (see LearnerState); `training: false` leaves out the dual variables (an exported model). */
  exportState(options: { training?: boolean } = {}): LearnerState {
    const training = options.training ?? true;
    if (this.hasStartLogits) throw new Error('learner: started from a classifier folder, it cannot be saved without it');
    const slots = this.slotTerms.length;
    const idfTerms = Uint32Array.from(this.idf.keys()).sort();
    return {
      format: LEARNER_FORMAT,
      scheme: structuredClone(this.scheme),
      settings: { ...this.settings },
      version: this.version,
      decisionCount: this.decisionCount,
      notes: [...this.notes],
      hidden: this.hidden,
      documents: this.poolDocuments,
      idfTerms,
      idfValues: Float32Array.from(idfTerms, (term) => this.idf.get(term) as number),
      unseenIdf: this.unseenIdf,
      slotTerms: Uint32Array.from(this.slotTerms),
      labels: this.models.map((model) => ({
        query: model.query.slice(),
        kappa: model.kappa,
        mu: model.mu,
        b0: model.b0,
        weights: model.weights.slice(0, slots),
        bias: model.bias,
        startWeight: model.startWeight,
        semantic: model.semantic.slice(),
        semanticBias: model.semanticBias,
        attentionQuery: model.attentionQuery.slice(),
        attentionDecisions: model.attentionDecisions,
        standard: model.standard.slice(),
        offset: model.offset,
        decisions: model.decisions,
        positives: model.positives,
        ...(training
          ? {
              alphas: model.alphas.slice(0, this.documents.length),
              semanticAlphas: model.semanticAlphas.slice(0, this.documents.length),
            }
          : {}),
      })),
    };
  }

  get documentCount(): number {
    return this.documents.length;
  }

  /** Starts from a classifier's view of the pool (`simulate --from-model` with a fine-tuned folder): `logits[d]`
   * holds its logit per label for document d, added to the prior and, once decisions come, one more SVM feature.
   * Such a learner scores documents outside the pool without it, so it cannot be exported as a folder. */
  startFromLogits(logits: Float32Array[]): void {
    if (logits.length !== this.documents.length) throw new Error('learner: one row of start logits per pool document');
    const labels = this.models.length;
    const mean = new Float64Array(labels);
    for (const row of logits) for (let l = 0; l < labels; l++) mean[l] = (mean[l] as number) + (row[l] as number) / logits.length;
    logits.forEach((row, d) => {
      (this.documents[d] as DocumentCache).start = Float32Array.from(mean, (m, l) => (row[l] as number) - m);
    });
    this.hasStartLogits = true;
  }

  /** Adds documents to the pool (their indices follow the existing ones); the idf stays as it is. Returns the first
   * new index. */
  addDocuments(documents: DocumentFeatures[]): number {
    const first = this.documents.length;
    for (const doc of documents) this.documents.push(this.cache(doc));
    return first;
  }

  /** `attended: false` leaves the attended vectors to the constructor, which knows kappa only after the pool's priors. */
  private cache(doc: DocumentFeatures, attended = true): DocumentCache {
    const { hidden, models } = this;
    const sentences = doc.scales.length;
    if (sentences > 0 && doc.vectors.length !== sentences * hidden)
      throw new Error(`learner: document features of ${doc.vectors.length / sentences} dimensions, expected ${hidden}`);
    const prior = models.map(() => new Float32Array(sentences));
    const vector = new Float64Array(hidden);
    const { vectors, scales } = doc;
    for (let s = 0; s < sentences; s++) {
      const scale = scales[s] as number;
      for (let k = 0; k < hidden; k++) vector[k] = (vectors[s * hidden + k] as number) * scale;
      for (let l = 0; l < models.length; l++) {
        const { query, kappa } = models[l] as LabelModel;
        let dot = 0;
        for (let k = 0; k < hidden; k++) dot += (query[k] as number) * (vector[k] as number);
        (prior[l] as Float32Array)[s] = Math.fround(dot) * kappa;
      }
    }
    const priorScore = Float64Array.from(models, (model, l) => softMax(prior[l] as Float32Array, null) - model.mu);
    // TF-IDF: sublinear counts, unit length.
    const tfidf = Float32Array.from(
      doc.terms,
      (term, i) => (1 + Math.log(doc.counts[i] as number)) * (this.idf.get(term) ?? this.unseenIdf),
    );
    let norm = 0;
    for (const value of tfidf) norm += value * value;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < tfidf.length; i++) tfidf[i] = (tfidf[i] as number) / norm;
    const cached: DocumentCache = {
      prior,
      priorScore,
      attentionLogits: [],
      attended: [],
      features: doc,
      terms: doc.terms,
      tfidf,
      slots: null,
      start: null,
    };
    if (attended) this.attend(cached);
    return cached;
  }

  /** Each label's attention logits and attended vector. */
  private attend(cached: DocumentCache): void {
    cached.attentionLogits = this.models.map((model, l) =>
      model.attentionDecisions === 0 ? (cached.prior[l] as Float32Array) : this.attentionLogitsOf(model.attentionQuery, cached.features),
    );
    cached.attended = cached.attentionLogits.map((logits) => this.attendedVector(logits, cached.features));
  }

  /** query . e_s of each sentence. */
  private attentionLogitsOf(query: Float64Array, doc: DocumentFeatures): Float32Array {
    const { hidden } = this;
    const logits = new Float32Array(doc.scales.length);
    for (let s = 0; s < logits.length; s++) {
      let dot = 0;
      for (let k = 0; k < hidden; k++) dot += (query[k] as number) * (doc.vectors[s * hidden + k] as number);
      logits[s] = dot * (doc.scales[s] as number);
    }
    return logits;
  }

  /** v(d) = sum_s softmax_s(logits) e_s, unit length. */
  private attendedVector(logits: Float32Array, doc: DocumentFeatures): Float32Array {
    const { hidden } = this;
    const attention = attentionWeights(logits);
    const sum = new Float64Array(hidden);
    for (let s = 0; s < logits.length; s++) {
      const weight = (attention[s] as number) * (doc.scales[s] as number);
      for (let k = 0; k < hidden; k++) sum[k] = (sum[k] as number) + weight * (doc.vectors[s * hidden + k] as number);
    }
    // Indexed loops: Float32Array.from with a mapping function and for-of cost several times this here.
    let length = 0;
    for (let k = 0; k < hidden; k++) {
      const value = sum[k] as number;
      length += value * value;
    }
    length = Math.sqrt(length) || 1;
    const attended = new Float32Array(hidden);
    for (let k = 0; k < hidden; k++) attended[k] = (sum[k] as number) / length;
    return attended;
  }

  /** Label attention learned from the decisions (the paper's trained label attention, on frozen sentence vectors):
   * the query becomes the description plus the semantic SVM's unit weight vector, the direction in the sentence
   * space that the decisions found relevant, and every pool document's attention and attended vector follow. */
  private learnAttention(l: number, model: LabelModel, decisions: number): void {
    const { hidden } = this;
    const { semantic, query, kappa } = model;
    let weightNorm = 0;
    for (let k = 0; k < hidden; k++) weightNorm += (semantic[k] as number) ** 2;
    weightNorm = Math.sqrt(weightNorm);
    if (weightNorm === 0) return;
    const learned = Float64Array.from(query, (value, k) => value + (ATTENTION_LEARNING * (semantic[k] as number)) / weightNorm);
    const length = Math.sqrt(learned.reduce((sum, value) => sum + value * value, 0)) || 1;
    model.attentionQuery = learned.map((value) => (value / length) * kappa);
    model.attentionDecisions = decisions;
    for (const doc of this.documents) {
      const logits = this.attentionLogitsOf(model.attentionQuery, doc.features);
      doc.attentionLogits[l] = logits;
      doc.attended[l] = this.attendedVector(logits, doc.features);
    }
  }

  /** The lexical SVM's decision value. */
  private lexicalValue(model: LabelModel, l: number, doc: DocumentCache): number {
    let sum = model.bias;
    if (doc.start !== null) sum += model.startWeight * START_FEATURE_SCALE * (doc.start[l] as number);
    const { terms, tfidf } = doc;
    const { slotOf } = this;
    const { weights } = model;
    for (let i = 0; i < terms.length; i++) {
      const slot = slotOf[terms[i] as number] as number;
      if (slot >= 0 && slot < weights.length) sum += (weights[slot] as number) * (tfidf[i] as number);
    }
    return sum;
  }

  /** The semantic SVM's decision value. */
  private semanticValue(model: LabelModel, l: number, doc: DocumentCache): number {
    let sum = model.semanticBias;
    const { semantic } = model;
    const attended = doc.attended[l] as Float32Array;
    for (let k = 0; k < attended.length; k++) sum += (semantic[k] as number) * (attended[k] as number);
    return sum;
  }

  /** The prior's weight in g after the label's decisions so far. */
  private priorLambda(model: LabelModel): number {
    return this.settings.priorWeight / (1 + model.positives / this.settings.priorHalfLife);
  }

  /** g(d): the standardised SVM scores and the fading prior. */
  private combined(model: LabelModel, l: number, doc: DocumentCache): number {
    return this.combine(model, l, doc, this.lexicalValue(model, l, doc), this.semanticValue(model, l, doc));
  }

  /** g(d) from the two SVMs' decision values for the document. */
  private combine(model: LabelModel, l: number, doc: DocumentCache, lexicalValue: number, semanticValue: number): number {
    const { standard } = model;
    const lexical = (lexicalValue - (standard[0] as number)) / (standard[1] as number);
    const semantic = (semanticValue - (standard[2] as number)) / (standard[3] as number);
    return lexical + this.settings.semanticWeight * semantic + (this.priorLambda(model) * (doc.priorScore[l] as number)) / PRIOR_SPREAD;
  }

  private logit(l: number, doc: DocumentCache): number {
    const model = this.models[l] as LabelModel;
    if (model.decisions === 0) return model.b0 + (doc.priorScore[l] as number) + (doc.start === null ? 0 : (doc.start[l] as number));
    return this.settings.logitScale * (this.combined(model, l, doc) - model.offset);
  }

  private doc(d: number): DocumentCache {
    const doc = this.documents[d];
    if (doc === undefined) throw new Error(`learner: no document ${d} (the pool has ${this.documents.length})`);
    return doc;
  }

  private probabilities(doc: DocumentCache): Float64Array {
    const logits = Float64Array.from(this.models, (_, l) => this.logit(l, doc));
    if (this.scheme.task === 'multi_label') return logits.map(sigmoid);
    const peak = Math.max(...logits);
    const exps = logits.map((z) => Math.exp(z - peak));
    const total = exps.reduce((sum, value) => sum + value, 0);
    return exps.map((value) => value / total);
  }

  /** Probability per label for document d (sigmoid per label; softmax over labels for single_label). */
  score(d: number): Float64Array {
    return this.probabilities(this.doc(d));
  }

  /** Probability per label of a document outside the pool (an exported model classifying new text). */
  scoreFeatures(features: DocumentFeatures): Float64Array {
    return this.probabilities(this.cache(features));
  }

  /** Label l's probability alone (cheaper than score for one label of a multi-label scheme). */
  probability(d: number, l: number): number {
    return this.scheme.task === 'multi_label' ? sigmoid(this.logit(l, this.doc(d))) : (this.score(d)[l] as number);
  }

  /** Label l's attention over document d's sentences (sums to 1; empty for a document without sentences). */
  attention(d: number, l: number): Float64Array {
    return this.attentionOf(this.doc(d), l);
  }

  /** Label l's attention over the sentences of a document outside the pool. */
  attentionFeatures(features: DocumentFeatures, l: number): Float64Array {
    return this.attentionOf(this.cache(features), l);
  }

  private attentionOf(doc: DocumentCache, l: number): Float64Array {
    return attentionWeights(doc.attentionLogits[l] as Float32Array);
  }

  /** Trains every label on all decisions so far (pass them all, the newest included; a document decided twice counts
   * once, its last decision); `only` limits it to labels by index (screening one label). */
  train(decisions: Decision[], only?: number[]): TrainingReport {
    const started = performance.now();
    const labels = only ?? this.scheme.labels.map((_, l) => l);
    const latest = new Map<number, Decision>();
    for (const decision of decisions) {
      this.doc(decision.doc);
      latest.delete(decision.doc);
      latest.set(decision.doc, decision);
    }
    const unique = [...latest.values()];
    const docs = unique.map((decision) => decision.doc);
    for (const d of docs) this.assignSlots(this.doc(d));
    const notes: string[] = [];
    for (const l of labels) {
      const name = (this.scheme.labels[l] as SchemeLabel).name;
      const targets = unique.map((decision) => decision.labels.includes(name));
      const positives = targets.filter(Boolean).length;
      if (unique.length > 0 && positives === 0) notes.push(`label "${name}": no decision gives it yet, so its scores only go down`);
      if (unique.length > 0 && positives === unique.length)
        notes.push(`label "${name}": every decision gives it so far, so its scores only go up`);
      this.solve(l, docs, targets);
    }
    this.version++;
    this.decisionCount = unique.length;
    return { version: this.version, decisions: unique.length, milliseconds: performance.now() - started, notes };
  }

  private assignSlots(doc: DocumentCache): void {
    if (doc.slots !== null) return;
    doc.slots = Int32Array.from(doc.terms, (term) => {
      let slot = this.slotOf[term] as number;
      if (slot < 0) {
        slot = this.slotTerms.length;
        this.slotOf[term] = slot;
        this.slotTerms.push(term);
      }
      return slot;
    });
  }

  /** Solves label l's two SVMs, standardises them over the pool and calibrates t. */
  private solve(l: number, docs: number[], targets: boolean[]): void {
    const model = this.models[l] as LabelModel;
    const n = docs.length;
    // The attention learns from the semantic SVM of the last solve, once that one had a positive decision.
    const learnedAt = model.attentionDecisions;
    if (model.positives > 0 && n >= Math.max(learnedAt + ATTENTION_MIN_STEP, learnedAt * ATTENTION_GROWTH))
      this.learnAttention(l, model, n);
    const caches = docs.map((d) => this.doc(d));
    const positives = targets.filter(Boolean).length;
    const negatives = n - positives;
    // ASReview's "balanced" weights, normalised to a mean of 1 (one class alone: all 1).
    const negativeWeight = positives > 0 && negatives > 0 ? positives / (this.settings.positiveRatio * negatives) : 1;
    const normaliser = n / (positives + negatives * negativeWeight || 1);
    const problem = {
      y: Float64Array.from(targets, (target) => (target ? 1 : -1)),
      weights: Float64Array.from(targets, (target) => normaliser * (target ? 1 : negativeWeight)),
      seed: (Math.imul(this.version + 1, 2654435761) ^ Math.imul(l + 1, 40503)) >>> 0,
    };
    // The lexical SVM: the document's TF-IDF over the slots, and its scaled start logit as one more feature.
    model.weights = grow(model.weights, this.slotTerms.length);
    const lexical = this.solveDual(
      problem,
      this.settings.C,
      caches.map((doc) => ({ indices: doc.slots as Int32Array, values: doc.tfidf })),
      Float64Array.from(caches, (doc) => (doc.start === null ? 0 : START_FEATURE_SCALE * (doc.start[l] as number))),
      model.weights,
      model.alphas,
      docs,
    );
    model.alphas = lexical.alphas;
    model.bias = lexical.bias;
    model.startWeight = lexical.extraWeight;
    // The semantic SVM: the label's attended vector.
    const semantic = this.solveDual(
      problem,
      this.settings.semanticC,
      caches.map((doc) => ({ indices: this.hiddenIndices, values: doc.attended[l] as Float32Array })),
      null,
      model.semantic,
      model.semanticAlphas,
      docs,
    );
    model.semanticAlphas = semantic.alphas;
    model.semanticBias = semantic.bias;
    model.decisions = n;
    model.positives = positives;

    // Each SVM's scale over the pool (an evenly spread sample of it), so that their sum weighs them as the settings
    // say whatever C and the terms.
    const standard = new Float64Array(4);
    const every = Math.ceil(this.documents.length / STANDARD_SAMPLE);
    const sample = this.documents.filter((_, d) => d % every === 0);
    const count = sample.length;
    const lexicalValues = sample.map((doc) => this.lexicalValue(model, l, doc));
    const semanticValues = sample.map((doc) => this.semanticValue(model, l, doc));
    for (let i = 0; i < count; i++) {
      const f = lexicalValues[i] as number;
      const g = semanticValues[i] as number;
      standard[0] = (standard[0] as number) + f / count;
      standard[1] = (standard[1] as number) + (f * f) / count;
      standard[2] = (standard[2] as number) + g / count;
      standard[3] = (standard[3] as number) + (g * g) / count;
    }
    for (const k of [0, 2]) {
      const variance = (standard[k + 1] as number) - (standard[k] as number) ** 2;
      standard[k + 1] = variance > 1e-18 ? Math.sqrt(variance) : 1;
    }
    model.standard = standard;
    // t: the pool (its sample) gets the share of positives the decisions have. The SVMs' zeros say little here: the
    // weights that favour the rare positives in the ranking move them, and the decided documents sit beyond the margins.
    const values = sample
      .map((doc, i) => this.combine(model, l, doc, lexicalValues[i] as number, semanticValues[i] as number))
      .sort((x, y) => y - x);
    const share = positives / Math.max(1, n);
    const at = Math.min(values.length - 1, Math.max(0, Math.round(share * values.length) - 1));
    model.offset = ((values[at] as number) + (values[at + 1] ?? (values[at] as number))) / 2;
  }

  /** One SVM's dual problem by coordinate descent (liblinear's solver for the squared hinge, L2):
   *   min over alpha >= 0 of 1/2 alpha' (Q + D) alpha - sum alpha,   Q_ij = y_i y_j x_i . x_j,   D_ii = 1 / (2 C w_i),
   * x_i a sparse row (`indices` into `weights`, `values`), a constant 1 (the bias) and `extra[i]` (null: none);
   * w = sum_i alpha_i y_i x_i is written into `weights`. Starts from `previous` (dual variables by document index; w
   * rebuilt from them, as a decision may have changed or gone since) and returns them updated. Passes in a seeded
   * order (deterministic) until the projected gradients agree within TOLERANCE. */
  private solveDual(
    problem: { y: Float64Array; weights: Float64Array; seed: number },
    cost: number,
    rows: Array<{ indices: ArrayLike<number>; values: Float32Array }>,
    extra: Float64Array | null,
    weights: Float64Array,
    previous: Float64Array,
    docs: number[],
  ): { alphas: Float64Array; bias: number; extraWeight: number } {
    const { y } = problem;
    const n = rows.length;
    const alpha = Float64Array.from(docs, (d) => previous[d] ?? 0);
    const diagonal = Float64Array.from(problem.weights, (weight) => 1 / (2 * cost * weight));
    const norms = new Float64Array(n);
    weights.fill(0);
    let bias = 0;
    let extraWeight = 0;
    for (let i = 0; i < n; i++) {
      const { indices, values } = rows[i] as (typeof rows)[number];
      const x = extra === null ? 0 : (extra[i] as number);
      let norm = 1 + x * x + (diagonal[i] as number);
      const step = (alpha[i] as number) * (y[i] as number);
      for (let t = 0; t < values.length; t++) {
        norm += (values[t] as number) ** 2;
        weights[indices[t] as number] = (weights[indices[t] as number] as number) + step * (values[t] as number);
      }
      norms[i] = norm;
      bias += step;
      extraWeight += step * x;
    }
    const order = Int32Array.from(docs, (_, i) => i);
    let state = problem.seed;
    for (let epoch = 0; epoch < MAX_EPOCHS && n > 0; epoch++) {
      for (let k = n - 1; k > 0; k--) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        const j = state % (k + 1);
        const swap = order[k] as number;
        order[k] = order[j] as number;
        order[j] = swap;
      }
      let highest = Number.NEGATIVE_INFINITY;
      let lowest = Number.POSITIVE_INFINITY;
      for (let k = 0; k < n; k++) {
        const i = order[k] as number;
        const { indices, values } = rows[i] as (typeof rows)[number];
        const x = extra === null ? 0 : (extra[i] as number);
        let margin = bias + extraWeight * x;
        for (let t = 0; t < values.length; t++) margin += (weights[indices[t] as number] as number) * (values[t] as number);
        const a = alpha[i] as number;
        const gradient = (y[i] as number) * margin - 1 + (diagonal[i] as number) * a;
        const projected = a === 0 ? Math.min(gradient, 0) : gradient;
        highest = Math.max(highest, projected);
        lowest = Math.min(lowest, projected);
        if (Math.abs(projected) < 1e-12) continue;
        const next = Math.max(a - gradient / (norms[i] as number), 0);
        alpha[i] = next;
        const step = (next - a) * (y[i] as number);
        for (let t = 0; t < values.length; t++)
          weights[indices[t] as number] = (weights[indices[t] as number] as number) + step * (values[t] as number);
        bias += step;
        extraWeight += step * x;
      }
      if (highest - lowest <= TOLERANCE) break;
    }
    const alphas = new Float64Array(Math.max(previous.length, this.documents.length));
    docs.forEach((d, i) => {
      alphas[d] = alpha[i] as number;
    });
    return { alphas, bias, extraWeight };
  }
}
