// Over 300 lines: the pool statistics, the description prior, training, scoring and the saved state of one learner belong together (issue 19).
/**
 * The learner of a taught scheme: scores every document from the label descriptions alone, then learns from each
 * decision. Plain TypeScript, no DOM: the page's learning worker and `labelwise simulate` run this same code.
 *
 * Per label, a document's logit is
 *   z = b + A(d) - mu + v . x(d),   A(d) = log mean_s exp(gamma * c_s + beta . p_s)
 * over the document's sentences s: c_s = kappa * (description . e_s), the description's cosine with the sentence's
 * vector e_s (frozen encoder, mean-pooled) scaled so the prior logits spread by PRIOR_SPREAD over the pool;
 * p_s = Q e_s, the sentence vector in the pool's top `rank` principal directions Q (fixed at construction). A is a
 * soft maximum over sentences, and the sentence attention softmax_s(gamma c_s + beta . p_s) is the label's heatmap.
 * x(d) is the document's TF-IDF over hashed word unigrams and bigrams, its idf frozen from the pool at construction.
 * Before any decision gamma = 1, beta = 0, v = 0: the scores rank documents by their best description-sentence
 * cosine. Each training minimises the class-balanced log loss on the decisions plus L2 pulls towards that prior
 * (gamma to 1, beta and v to 0, b to its start) by full-batch Adam warm-started from the previous model. c_s and p_s
 * are computed once per document, so a training step costs (rank + 1) multiply-adds per decided sentence plus the
 * decided documents' terms, and the lexical weights exist only for terms of decided documents.
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
  /** Adam steps per training (warm-started). */
  steps: number;
  /** Decisions per step: beyond this many, each step takes the newest and a seeded sample of the others. */
  batch: number;
  /** L2 weight pulling the query (gamma, beta) towards the description's. */
  queryPull: number;
  /** L2 weight on the lexical weights. */
  lexicalPull: number;
  biasPull: number;
  learningRate: number;
  /** Principal directions of the pool's sentence vectors the query learns in. */
  rank: number;
}

export const DEFAULT_SETTINGS: LearnerSettings = {
  steps: 10,
  batch: 128,
  queryPull: 1,
  lexicalPull: 1,
  biasPull: 0.1,
  learningRate: 0.1,
  rank: 64,
};

/** Standard deviation of the prior logits over the pool; the prior's start bias. */
const PRIOR_SPREAD = 1.5;
const PRIOR_BIAS = -2;
const BETA1 = 0.9;
const BETA2 = 0.999;
/** At most this many sentences of the pool estimate its principal directions. */
const BASIS_SAMPLE = 2000;
const BASIS_ITERATIONS = 8;
/** Dense parameters before beta: b, gamma, rho. */
const DENSE_FIXED = 3;

export interface TrainingReport {
  version: number;
  decisions: number;
  milliseconds: number;
  /** Plain messages about this training (a label no decision has given yet, ...). */
  notes: string[];
}

/** Adam moments of one parameter vector. */
interface Moments {
  m: Float64Array;
  v: Float64Array;
}

interface LabelModel {
  /** The description's vector (zeros without a description) and the prior's scale on it. */
  query: Float64Array;
  kappa: number;
  mu: number;
  b0: number;
  /** b, gamma, rho, then beta (rank): the dense parameters. */
  dense: Float64Array;
  denseMoments: Moments;
  /** Lexical weights by slot (see Learner.slotOf). */
  lexical: Float64Array;
  lexicalMoments: Moments;
  steps: number;
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
  /** idf of each pool term (sorted); a term the pool never had gets `unseenIdf`. */
  idfTerms: Uint32Array;
  idfValues: Float32Array;
  unseenIdf: number;
  /** [rank, hidden] row-major orthonormal rows. */
  basis: Float32Array;
  /** The lexical slots' terms, in slot order. */
  slotTerms: Uint32Array;
  labels: Array<{
    query: Float64Array;
    kappa: number;
    mu: number;
    b0: number;
    dense: Float64Array;
    lexical: Float64Array;
    /** Adam's moments, to go on training exactly where it stopped; absent in exported folders. */
    adam?: { steps: number; denseM: Float64Array; denseV: Float64Array; lexicalM: Float64Array; lexicalV: Float64Array };
  }>;
}

export const LEARNER_FORMAT = 'labelwise-learner/1';

/** What the learner keeps per document: computed once, from its features. */
interface DocumentCache {
  sentences: number;
  /** [sentences, rank] */
  projected: Float32Array;
  /** Per label, c_s of each sentence. */
  prior: Float32Array[];
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

function moments(size: number): Moments {
  return { m: new Float64Array(size), v: new Float64Array(size) };
}

function grow(array: Float64Array, size: number): Float64Array {
  if (array.length >= size) return array;
  const bigger = new Float64Array(Math.max(size, array.length * 2, 1024));
  bigger.set(array);
  return bigger;
}

/** Orthonormal rows spanning the top principal directions of `sample` ([count, hidden]), by subspace iteration
 * from a fixed start: deterministic. */
function principalBasis(sample: Float32Array, count: number, hidden: number, rank: number): Float32Array {
  const second = new Float64Array(hidden * hidden);
  for (let s = 0; s < count; s++) {
    const base = s * hidden;
    for (let i = 0; i < hidden; i++) {
      const xi = sample[base + i] as number;
      if (xi === 0) continue;
      const row = i * hidden;
      for (let j = i; j < hidden; j++) second[row + j] = (second[row + j] as number) + xi * (sample[base + j] as number);
    }
  }
  for (let i = 0; i < hidden; i++) for (let j = 0; j < i; j++) second[i * hidden + j] = second[j * hidden + i] as number;
  let basis = new Float64Array(rank * hidden);
  let state = 12345;
  for (let k = 0; k < basis.length; k++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    basis[k] = state / 2 ** 32 - 0.5;
  }
  const next = new Float64Array(rank * hidden);
  for (let iteration = 0; iteration <= BASIS_ITERATIONS; iteration++) {
    if (iteration > 0) {
      next.fill(0);
      for (let r = 0; r < rank; r++) {
        for (let i = 0; i < hidden; i++) {
          let sum = 0;
          const row = i * hidden;
          for (let j = 0; j < hidden; j++) sum += (second[row + j] as number) * (basis[r * hidden + j] as number);
          next[r * hidden + i] = sum;
        }
      }
      basis = next.slice();
    }
    // Gram-Schmidt; a direction with nothing left (rank above the sample's) becomes zero.
    for (let r = 0; r < rank; r++) {
      for (let q = 0; q < r; q++) {
        let dot = 0;
        for (let k = 0; k < hidden; k++) dot += (basis[r * hidden + k] as number) * (basis[q * hidden + k] as number);
        for (let k = 0; k < hidden; k++)
          basis[r * hidden + k] = (basis[r * hidden + k] as number) - dot * (basis[q * hidden + k] as number);
      }
      let norm = 0;
      for (let k = 0; k < hidden; k++) norm += (basis[r * hidden + k] as number) ** 2;
      norm = Math.sqrt(norm);
      for (let k = 0; k < hidden; k++) basis[r * hidden + k] = norm > 1e-9 ? (basis[r * hidden + k] as number) / norm : 0;
    }
  }
  return Float32Array.from(basis);
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
  private readonly rank: number;
  private readonly basis: Float32Array;
  private readonly poolDocuments: number;
  private readonly idf: Map<number, number>;
  private readonly unseenIdf: number;
  private readonly models: LabelModel[];
  private readonly documents: DocumentCache[] = [];
  /** Lexical slot of each hashed term (-1: no decided document has it); slots are shared by all labels. */
  private readonly slotOf = new Int32Array(LEXICAL_BUCKETS).fill(-1);
  private slotTerms: number[] = [];
  private hasStartLogits = false;
  /** softMax's buffer when no attention is asked for (scoring allocates nothing per document). */
  private scratch = new Float64Array(64);
  /** fit's buffers by lexical slot, kept between trainings; `stamp` marks the slots a step has touched. */
  private gradLexical = new Float64Array(0);
  private touched = new Int32Array(0);
  private stamp = new Int32Array(0);
  private stampCount = 0;

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
      this.basis = restored.basis;
      this.rank = restored.basis.length / Math.max(1, restored.hidden);
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
        query: label.query,
        kappa: label.kappa,
        mu: label.mu,
        b0: label.b0,
        dense: label.dense.slice(),
        denseMoments: label.adam ? { m: label.adam.denseM.slice(), v: label.adam.denseV.slice() } : moments(label.dense.length),
        lexical: label.lexical.slice(),
        lexicalMoments: label.adam ? { m: label.adam.lexicalM.slice(), v: label.adam.lexicalV.slice() } : moments(label.lexical.length),
        steps: label.adam?.steps ?? 0,
      }));
      this.addDocuments(documents);
      return;
    }
    const first = documents.find((doc) => doc.scales.length > 0);
    this.hidden = first ? first.vectors.length / first.scales.length : (descriptions.find((d) => d !== null)?.length ?? 0);
    const hidden = this.hidden;
    // The idf over the pool: smoothed, frozen from here on (documents added later and exported folders use it).
    const n = documents.length;
    const df = new Map<number, number>();
    for (const doc of documents) for (const term of doc.terms) df.set(term, (df.get(term) ?? 0) + 1);
    this.poolDocuments = n;
    this.idf = new Map(Array.from(df, ([term, count]) => [term, Math.fround(Math.log((n + 1) / (count + 1)) + 1)]));
    this.unseenIdf = Math.fround(Math.log(n + 1) + 1);
    // The pool's principal directions, from an evenly spread sample of its sentences.
    const sentences = documents.reduce((sum, doc) => sum + doc.scales.length, 0);
    const every = Math.max(1, Math.ceil(sentences / BASIS_SAMPLE));
    const sample = new Float32Array(Math.ceil(sentences / every) * hidden);
    let taken = 0;
    let seen = 0;
    for (const doc of documents) {
      for (let s = 0; s < doc.scales.length; s++, seen++) {
        if (seen % every !== 0) continue;
        const scale = doc.scales[s] as number;
        for (let k = 0; k < hidden; k++) sample[taken * hidden + k] = (doc.vectors[s * hidden + k] as number) * scale;
        taken++;
      }
    }
    this.rank = Math.min(this.settings.rank, hidden, taken);
    this.basis = principalBasis(sample, taken, hidden, this.rank);

    this.models = scheme.labels.map((label, l) => {
      const description = descriptions[l] ?? null;
      if (description === null) this.notes.push(`label "${label.name}" has no description: its scores start flat until it gets decisions`);
      const b0 = scheme.task === 'single_label' ? 0 : PRIOR_BIAS;
      const dense = new Float64Array(DENSE_FIXED + this.rank);
      dense[0] = b0;
      dense[1] = 1;
      dense[2] = 1;
      return {
        query: Float64Array.from(description ?? new Float32Array(hidden)),
        kappa: 1,
        mu: 0,
        b0,
        dense,
        denseMoments: moments(DENSE_FIXED + this.rank),
        lexical: new Float64Array(0),
        lexicalMoments: moments(0),
        steps: 0,
      };
    });
    this.addDocuments(documents);
    // The prior's scale kappa: its soft maxima spread by PRIOR_SPREAD over the pool; mu centres them.
    this.models.forEach((model, l) => {
      const raw = Float64Array.from({ length: n }, (_, d) => this.softMax(model, l, this.documents[d] as DocumentCache, null));
      const mean = raw.reduce((sum, value) => sum + value, 0) / Math.max(1, n);
      const std = Math.sqrt(raw.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, n));
      const kappa = std > 1e-6 ? PRIOR_SPREAD / std : 0;
      const label = scheme.labels[l] as SchemeLabel;
      if (descriptions[l] !== null && kappa === 0 && n > 1)
        this.notes.push(`label "${label.name}": its description scores every document alike`);
      model.kappa = kappa;
      // As cache() computes them for documents added later: the rounded cosine times kappa, rounded.
      for (const doc of this.documents) doc.prior[l] = (doc.prior[l] as Float32Array).map((value) => value * kappa);
      model.mu = this.documents.reduce((sum, doc) => sum + this.softMax(model, l, doc, null), 0) / Math.max(1, n);
    });
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

  /** The trained state (see LearnerState); `training: false` leaves out Adam's moments (an exported model). */
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
      basis: this.basis.slice(),
      slotTerms: Uint32Array.from(this.slotTerms),
      labels: this.models.map((model) => ({
        query: model.query.slice(),
        kappa: model.kappa,
        mu: model.mu,
        b0: model.b0,
        dense: model.dense.slice(),
        lexical: model.lexical.slice(0, slots),
        ...(training
          ? {
              adam: {
                steps: model.steps,
                denseM: model.denseMoments.m.slice(),
                denseV: model.denseMoments.v.slice(),
                lexicalM: model.lexicalMoments.m.slice(0, slots),
                lexicalV: model.lexicalMoments.v.slice(0, slots),
              },
            }
          : {}),
      })),
    };
  }

  get documentCount(): number {
    return this.documents.length;
  }

  /** Starts from a classifier's view of the pool (`simulate --from-model` with a fine-tuned folder): `logits[d]`
   * holds its logit per label for document d, added to each label's logit with a learned weight (starting at 1).
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

  /** Adds documents to the pool (their indices follow the existing ones); the idf and the basis stay as they are.
   * Returns the first new index. */
  addDocuments(documents: DocumentFeatures[]): number {
    const first = this.documents.length;
    for (const doc of documents) this.documents.push(this.cache(doc));
    return first;
  }

  private cache(doc: DocumentFeatures): DocumentCache {
    const { hidden, rank } = this;
    const sentences = doc.scales.length;
    if (sentences > 0 && doc.vectors.length !== sentences * hidden)
      throw new Error(`learner: document features of ${doc.vectors.length / sentences} dimensions, expected ${hidden}`);
    const projected = new Float32Array(sentences * rank);
    const prior = this.models.map(() => new Float32Array(sentences));
    const vector = new Float64Array(hidden);
    // Locals, not property loads, in the inner loops: V8 does not always hoist them.
    const { basis, models } = this;
    const { vectors, scales } = doc;
    for (let s = 0; s < sentences; s++) {
      const scale = scales[s] as number;
      for (let k = 0; k < hidden; k++) vector[k] = (vectors[s * hidden + k] as number) * scale;
      for (let r = 0; r < rank; r++) {
        let dot = 0;
        const row = r * hidden;
        for (let k = 0; k < hidden; k++) dot += (basis[row + k] as number) * (vector[k] as number);
        projected[s * rank + r] = dot;
      }
      for (let l = 0; l < models.length; l++) {
        const { query, kappa } = models[l] as LabelModel;
        let dot = 0;
        for (let k = 0; k < hidden; k++) dot += (query[k] as number) * (vector[k] as number);
        (prior[l] as Float32Array)[s] = Math.fround(dot) * kappa;
      }
    }
    // TF-IDF: sublinear counts, unit length.
    const tfidf = Float32Array.from(
      doc.terms,
      (term, i) => (1 + Math.log(doc.counts[i] as number)) * (this.idf.get(term) ?? this.unseenIdf),
    );
    let norm = 0;
    for (const value of tfidf) norm += value * value;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < tfidf.length; i++) tfidf[i] = (tfidf[i] as number) / norm;
    return { sentences, projected, prior, terms: doc.terms, tfidf, slots: null, start: null };
  }

  /** log mean_s exp(a_s) over the document's sentences; fills `attention` with softmax_s(a_s) when given. */
  private softMax(model: LabelModel, l: number, doc: DocumentCache, attention: Float64Array | null): number {
    const count = doc.sentences;
    if (count === 0) return 0;
    const { rank } = this;
    const { dense } = model;
    const gamma = dense[1] as number;
    const prior = doc.prior[l] as Float32Array;
    const projected = doc.projected;
    if (attention === null && this.scratch.length < count) this.scratch = new Float64Array(count * 2);
    const dots = attention ?? this.scratch;
    let peak = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < count; s++) {
      let dot = gamma * (prior[s] as number);
      const base = s * rank;
      for (let r = 0; r < rank; r++) dot += (dense[DENSE_FIXED + r] as number) * (projected[base + r] as number);
      dots[s] = dot;
      if (dot > peak) peak = dot;
    }
    let total = 0;
    for (let s = 0; s < count; s++) {
      const e = Math.exp((dots[s] as number) - peak);
      dots[s] = e;
      total += e;
    }
    for (let s = 0; s < count; s++) dots[s] = (dots[s] as number) / total;
    return peak + Math.log(total / count);
  }

  private lexicalScore(model: LabelModel, doc: DocumentCache): number {
    if (this.slotTerms.length === 0) return 0;
    let sum = 0;
    const { terms, tfidf } = doc;
    const { slotOf } = this;
    const { lexical } = model;
    for (let i = 0; i < terms.length; i++) {
      const slot = slotOf[terms[i] as number] as number;
      if (slot >= 0 && slot < lexical.length) sum += (lexical[slot] as number) * (tfidf[i] as number);
    }
    return sum;
  }

  private logit(l: number, doc: DocumentCache, attention: Float64Array | null = null): number {
    const model = this.models[l] as LabelModel;
    const start = doc.start === null ? 0 : (model.dense[2] as number) * (doc.start[l] as number);
    return (model.dense[0] as number) + this.softMax(model, l, doc, attention) - model.mu + this.lexicalScore(model, doc) + start;
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
    const attention = new Float64Array(doc.sentences);
    this.softMax(this.models[l] as LabelModel, l, doc, attention);
    return attention;
  }

  /** Trains every label on all decisions so far (pass them all, the newest included); `only` limits it to labels
   * by index (screening one label). */
  train(decisions: Decision[], only?: number[]): TrainingReport {
    const started = performance.now();
    const labels = only ?? this.scheme.labels.map((_, l) => l);
    const docs = decisions.map((decision) => decision.doc);
    for (const d of docs) this.assignSlots(this.doc(d));
    const notes: string[] = [];
    for (const l of labels) {
      const name = (this.scheme.labels[l] as SchemeLabel).name;
      const targets = decisions.map((decision) => (decision.labels.includes(name) ? 1 : 0));
      const positives = targets.reduce<number>((sum, y) => sum + y, 0);
      if (decisions.length > 0 && positives === 0) notes.push(`label "${name}": no decision gives it yet, so its scores only go down`);
      if (decisions.length > 0 && positives === decisions.length)
        notes.push(`label "${name}": every decision gives it so far, so its scores only go up`);
      this.fit(l, docs, targets);
    }
    this.version++;
    this.decisionCount = decisions.length;
    return { version: this.version, decisions: decisions.length, milliseconds: performance.now() - started, notes };
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

  private fit(l: number, docs: number[], targets: number[], steps = this.settings.steps): void {
    const model = this.models[l] as LabelModel;
    const { batch, queryPull, lexicalPull, biasPull, learningRate } = this.settings;
    const { rank } = this;
    const slots = this.slotTerms.length;
    model.lexical = grow(model.lexical, slots);
    model.lexicalMoments = { m: grow(model.lexicalMoments.m, slots), v: grow(model.lexicalMoments.v, slots) };
    const positives = targets.reduce((sum, y) => sum + y, 0);
    const negatives = targets.length - positives;
    // Class-balanced weights: each class weighs half of the decisions (one class alone weighs 1 per decision).
    const weightOf = (y: number) => (positives === 0 || negatives === 0 ? 1 : targets.length / (2 * (y === 1 ? positives : negatives)));
    const n = docs.length;
    const caches = docs.map((d) => this.doc(d));
    const attention = new Float64Array(Math.max(0, ...caches.map((doc) => doc.sentences)));
    const gradDense = new Float64Array(DENSE_FIXED + rank);
    // Slots with a gradient this step: only they are updated (lazy Adam), so a step costs the batch's terms.
    if (this.gradLexical.length < slots) {
      this.gradLexical = new Float64Array(slots * 2);
      this.touched = new Int32Array(slots * 2);
      this.stamp = new Int32Array(slots * 2);
    }
    const { gradLexical, touched, stamp } = this;
    const { dense, lexical } = model;
    const { m: lexicalM, v: lexicalV } = model.lexicalMoments;
    // Beyond `batch` decisions each step takes the newest one and a sample of the others (seeded by the version,
    // the label and the step: deterministic), their gradient scaled up to stand for all n.
    const size = Math.min(n, batch);
    const scale = n / size;
    const members = new Int32Array(size);
    const rest = Int32Array.from({ length: Math.max(0, n - 1) }, (_, i) => i);
    for (let step = 0; step < steps; step++) {
      if (size === n) for (let i = 0; i < n; i++) members[i] = i;
      else {
        let state = (Math.imul(this.version + 1, 2654435761) ^ Math.imul(l + 1, 40503) ^ Math.imul(step + 1, 69069)) >>> 0;
        members[0] = n - 1;
        for (let k = 1; k < size; k++) {
          state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
          const j = k - 1 + (state % (n - k));
          const picked = rest[j] as number;
          rest[j] = rest[k - 1] as number;
          rest[k - 1] = picked;
          members[k] = picked;
        }
      }
      gradDense.fill(0);
      const mark = ++this.stampCount;
      let touchedCount = 0;
      for (let k = 0; k < size; k++) {
        const i = members[k] as number;
        const doc = caches[i] as DocumentCache;
        const y = targets[i] as number;
        const z = this.logit(l, doc, attention);
        const dz = scale * weightOf(y) * (sigmoid(z) - y);
        gradDense[0] = (gradDense[0] as number) + dz;
        const prior = doc.prior[l] as Float32Array;
        const projected = doc.projected;
        for (let s = 0; s < doc.sentences; s++) {
          const weight = dz * (attention[s] as number);
          gradDense[1] = (gradDense[1] as number) + weight * (prior[s] as number);
          const base = s * rank;
          for (let r = 0; r < rank; r++)
            gradDense[DENSE_FIXED + r] = (gradDense[DENSE_FIXED + r] as number) + weight * (projected[base + r] as number);
        }
        if (doc.start !== null) gradDense[2] = (gradDense[2] as number) + dz * (doc.start[l] as number);
        const docSlots = doc.slots as Int32Array;
        for (let t = 0; t < docSlots.length; t++) {
          const slot = docSlots[t] as number;
          if (stamp[slot] !== mark) {
            stamp[slot] = mark;
            gradLexical[slot] = 0;
            touched[touchedCount++] = slot;
          }
          gradLexical[slot] = (gradLexical[slot] as number) + dz * (doc.tfidf[t] as number);
        }
      }
      gradDense[0] = (gradDense[0] as number) + biasPull * ((dense[0] as number) - model.b0);
      gradDense[1] = (gradDense[1] as number) + queryPull * ((dense[1] as number) - 1);
      gradDense[2] = (gradDense[2] as number) + queryPull * ((dense[2] as number) - 1);
      for (let r = 0; r < rank; r++)
        gradDense[DENSE_FIXED + r] = (gradDense[DENSE_FIXED + r] as number) + queryPull * (dense[DENSE_FIXED + r] as number);
      model.steps++;
      const correction1 = 1 - BETA1 ** model.steps;
      const correction2 = 1 - BETA2 ** model.steps;
      const update = (params: Float64Array, m: Float64Array, v: Float64Array, k: number, g: number) => {
        const m1 = BETA1 * (m[k] as number) + (1 - BETA1) * g;
        const v1 = BETA2 * (v[k] as number) + (1 - BETA2) * g * g;
        m[k] = m1;
        v[k] = v1;
        params[k] = (params[k] as number) - (learningRate * (m1 / correction1)) / (Math.sqrt(v1 / correction2) + 1e-8);
      };
      for (let k = 0; k < dense.length; k++) update(dense, model.denseMoments.m, model.denseMoments.v, k, gradDense[k] as number);
      for (let t = 0; t < touchedCount; t++) {
        const slot = touched[t] as number;
        update(lexical, lexicalM, lexicalV, slot, (gradLexical[slot] as number) + lexicalPull * (lexical[slot] as number));
      }
    }
  }
}
