// Over 300 lines: the features, the description prior, training and scoring of one learner kept together until its design settles (issue 19).
/**
 * The learner of a taught scheme: scores every document from the label descriptions alone, then learns from each
 * decision. Plain TypeScript, no DOM: the page's learning worker and `labelwise simulate` run this same code.
 *
 * Per label, a document's logit is
 *   z = b + A(d) - mu + v . x(d),   A(d) = log mean_s exp(w . e_s)
 * where e_s are the document's sentence vectors (frozen encoder, mean-pooled), w the label's query and x(d) the
 * document's TF-IDF (hashed word unigrams and bigrams). A is a soft maximum over sentences, and the sentence
 * attention softmax_s(w . e_s) is the label's heatmap. Before any decision w = kappa * (the description's vector),
 * v = 0, so the scores rank documents by their best description-sentence cosine (HoC train+dev: mean ROC AUC 0.862),
 * with kappa set so the prior logits spread by PRIOR_SPREAD over the pool. Each training minimises the
 * class-balanced log loss on the decisions plus L2 pulls towards that prior (w to its start, v to 0, b to its start),
 * by full-batch Adam warm-started from the previous model: deterministic (no sampling at all), and the loss is
 * convex, so the warm start changes only the path, not where it goes.
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
  /** L2 weight pulling the query towards the description's, in logit units. */
  queryPull: number;
  /** L2 weight on the lexical weights. */
  lexicalPull: number;
  biasPull: number;
  learningRate: number;
}

export const DEFAULT_SETTINGS: LearnerSettings = { steps: 10, queryPull: 1, lexicalPull: 1, biasPull: 0.1, learningRate: 0.1 };

/** Standard deviation of the prior logits over the pool; the prior's start bias. */
const PRIOR_SPREAD = 1.5;
const PRIOR_BIAS = -2;

interface LabelModel {
  w: Float64Array;
  w0: Float64Array;
  mu: number;
  b: number;
  b0: number;
  /** Lexical weights by bucket; only the buckets of decided documents (`active`) are ever non-zero. */
  v: Float64Array;
  active: number[];
  isActive: Uint8Array;
  adam: { w: [Float64Array, Float64Array]; v: [Float64Array, Float64Array]; b: [number, number]; t: number };
}

export interface TrainingReport {
  version: number;
  decisions: number;
  milliseconds: number;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export class Learner {
  readonly scheme: Scheme;
  /** Plain messages about the scheme (an empty description, ...), for the page and the CLI to show. */
  readonly notes: string[] = [];
  /** Trainings so far; 0 is the descriptions-only model. */
  version = 0;
  decisionCount = 0;
  private readonly hidden: number;
  private readonly settings: LearnerSettings;
  /** All sentence vectors, dequantised, and where each document's begin. */
  private readonly sentenceVectors: Float32Array;
  private readonly sentenceStart: Uint32Array;
  private readonly tfidfTerms: Uint32Array[];
  private readonly tfidfValues: Float32Array[];
  private readonly models: LabelModel[];
  private readonly lexicalGradient = new Float64Array(LEXICAL_BUCKETS);

  constructor(
    scheme: Scheme,
    /** The description vectors (unit length), null for an empty description. */
    descriptions: Array<Float32Array | null>,
    documents: DocumentFeatures[],
    settings: Partial<LearnerSettings> = {},
  ) {
    if (scheme.labels.length === 0) throw new Error('scheme: needs at least one label');
    if (descriptions.length !== scheme.labels.length) throw new Error('learner: one description vector per label');
    this.scheme = scheme;
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    const first = documents.find((doc) => doc.scales.length > 0);
    this.hidden = first ? first.vectors.length / first.scales.length : (descriptions.find((d) => d !== null)?.length ?? 0);
    const hidden = this.hidden;

    this.sentenceStart = new Uint32Array(documents.length + 1);
    documents.forEach((doc, d) => {
      this.sentenceStart[d + 1] = (this.sentenceStart[d] as number) + doc.scales.length;
    });
    this.sentenceVectors = new Float32Array((this.sentenceStart[documents.length] as number) * hidden);
    documents.forEach((doc, d) => {
      const base = (this.sentenceStart[d] as number) * hidden;
      for (let s = 0; s < doc.scales.length; s++) {
        const scale = doc.scales[s] as number;
        for (let k = 0; k < hidden; k++) this.sentenceVectors[base + s * hidden + k] = (doc.vectors[s * hidden + k] as number) * scale;
      }
    });

    // TF-IDF over the pool: sublinear counts, smoothed idf, unit length per document.
    const df = new Map<number, number>();
    for (const doc of documents) for (const term of doc.terms) df.set(term, (df.get(term) ?? 0) + 1);
    const n = documents.length;
    this.tfidfTerms = documents.map((doc) => doc.terms);
    this.tfidfValues = documents.map((doc) => {
      const values = Float32Array.from(
        doc.terms,
        (term, i) => (1 + Math.log(doc.counts[i] as number)) * (Math.log((n + 1) / ((df.get(term) as number) + 1)) + 1),
      );
      const norm = Math.hypot(...values) || 1;
      return values.map((value) => value / norm);
    });

    this.models = scheme.labels.map((label, l) => {
      const description = descriptions[l] ?? null;
      if (description === null) this.notes.push(`label "${label.name}" has no description: its scores start flat until it gets decisions`);
      const direction = Float64Array.from(description ?? new Float32Array(hidden));
      // The prior's scale: its soft maxima spread by PRIOR_SPREAD over the pool.
      const raw = Float64Array.from({ length: n }, (_, d) => this.softMax(direction, d, null));
      const mean = raw.reduce((sum, value) => sum + value, 0) / Math.max(1, n);
      const std = Math.sqrt(raw.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, n));
      const kappa = std > 1e-6 ? PRIOR_SPREAD / std : 0;
      if (description !== null && kappa === 0 && n > 1)
        this.notes.push(`label "${label.name}": its description scores every document alike`);
      const w0 = direction.map((value) => value * kappa);
      const mu =
        Float64Array.from({ length: n }, (_, d) => this.softMax(w0, d, null)).reduce((sum, value) => sum + value, 0) / Math.max(1, n);
      const b0 = scheme.task === 'single_label' ? 0 : PRIOR_BIAS;
      return {
        w: w0.slice(),
        w0,
        mu,
        b: b0,
        b0,
        v: new Float64Array(LEXICAL_BUCKETS),
        active: [],
        isActive: new Uint8Array(LEXICAL_BUCKETS),
        adam: {
          w: [new Float64Array(hidden), new Float64Array(hidden)],
          v: [new Float64Array(LEXICAL_BUCKETS), new Float64Array(LEXICAL_BUCKETS)],
          b: [0, 0],
          t: 0,
        },
      };
    });
  }

  get documentCount(): number {
    return this.tfidfTerms.length;
  }

  /** log mean_s exp(w . e_s) over document d's sentences; fills `attention` with softmax_s(w . e_s) when given. */
  private softMax(w: Float64Array, d: number, attention: Float64Array | null): number {
    const hidden = this.hidden;
    const first = this.sentenceStart[d] as number;
    const count = (this.sentenceStart[d + 1] as number) - first;
    if (count === 0) return 0;
    const dots = attention ?? new Float64Array(count);
    let peak = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < count; s++) {
      const base = (first + s) * hidden;
      let dot = 0;
      for (let k = 0; k < hidden; k++) dot += (w[k] as number) * (this.sentenceVectors[base + k] as number);
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

  private lexical(model: LabelModel, d: number): number {
    if (model.active.length === 0) return 0;
    const terms = this.tfidfTerms[d] as Uint32Array;
    const values = this.tfidfValues[d] as Float32Array;
    let sum = 0;
    for (let i = 0; i < terms.length; i++) sum += (model.v[terms[i] as number] as number) * (values[i] as number);
    return sum;
  }

  private logit(l: number, d: number, attention: Float64Array | null = null): number {
    const model = this.models[l] as LabelModel;
    return model.b + this.softMax(model.w, d, attention) - model.mu + this.lexical(model, d);
  }

  private sentenceCount(d: number): number {
    return (this.sentenceStart[d + 1] as number) - (this.sentenceStart[d] as number);
  }

  /** Probability per label for document d (sigmoid per label; softmax over labels for single_label). */
  score(d: number): Float64Array {
    const logits = Float64Array.from(this.models, (_, l) => this.logit(l, d));
    if (this.scheme.task === 'multi_label') return logits.map(sigmoid);
    const peak = Math.max(...logits);
    const exps = logits.map((z) => Math.exp(z - peak));
    const total = exps.reduce((sum, value) => sum + value, 0);
    return exps.map((value) => value / total);
  }

  /** Label l's probability alone (cheaper than score for one label of a multi-label scheme). */
  probability(d: number, l: number): number {
    return this.scheme.task === 'multi_label' ? sigmoid(this.logit(l, d)) : (this.score(d)[l] as number);
  }

  /** Label l's attention over document d's sentences (sums to 1; empty for a document without sentences). */
  attention(d: number, l: number): Float64Array {
    const attention = new Float64Array(this.sentenceCount(d));
    this.softMax((this.models[l] as LabelModel).w, d, attention);
    return attention;
  }

  /** Trains every label on all decisions so far (pass them all, the newest included); `only` limits it to labels
   * by index (screening one label). */
  train(decisions: Decision[], only?: number[]): TrainingReport {
    const started = performance.now();
    const labels = only ?? this.scheme.labels.map((_, l) => l);
    for (const l of labels) {
      const name = (this.scheme.labels[l] as SchemeLabel).name;
      this.fit(
        l,
        decisions.map((decision) => decision.doc),
        decisions.map((decision) => (decision.labels.includes(name) ? 1 : 0)),
      );
    }
    this.version++;
    this.decisionCount = decisions.length;
    return { version: this.version, decisions: decisions.length, milliseconds: performance.now() - started };
  }

  private fit(l: number, docs: number[], targets: number[]): void {
    const model = this.models[l] as LabelModel;
    const { steps, queryPull, lexicalPull, biasPull, learningRate } = this.settings;
    const positives = targets.reduce((sum, y) => sum + y, 0);
    const negatives = targets.length - positives;
    // Class-balanced weights: each class weighs half of the decisions (one class alone weighs 1 per decision).
    const weightOf = (y: number) => (positives === 0 || negatives === 0 ? 1 : targets.length / (2 * (y === 1 ? positives : negatives)));
    const hidden = this.hidden;
    const gradW = new Float64Array(hidden);
    for (const d of docs) {
      for (const term of this.tfidfTerms[d] as Uint32Array) {
        if (model.isActive[term] === 0) {
          model.isActive[term] = 1;
          model.active.push(term);
        }
      }
    }
    const gradV = this.lexicalGradient;
    const attention = new Float64Array(Math.max(0, ...docs.map((d) => this.sentenceCount(d))));
    const beta1 = 0.9;
    const beta2 = 0.999;
    for (let step = 0; step < steps; step++) {
      gradW.fill(0);
      for (const term of model.active) gradV[term] = 0;
      let gradB = biasPull * (model.b - model.b0);
      for (let i = 0; i < docs.length; i++) {
        const d = docs[i] as number;
        const z = this.logit(l, d, attention);
        const dz = weightOf(targets[i] as number) * (sigmoid(z) - (targets[i] as number));
        gradB += dz;
        const first = this.sentenceStart[d] as number;
        const count = this.sentenceCount(d);
        for (let s = 0; s < count; s++) {
          const weight = dz * (attention[s] as number);
          const base = (first + s) * hidden;
          for (let k = 0; k < hidden; k++) gradW[k] = (gradW[k] as number) + weight * (this.sentenceVectors[base + k] as number);
        }
        const terms = this.tfidfTerms[d] as Uint32Array;
        const values = this.tfidfValues[d] as Float32Array;
        for (let t = 0; t < terms.length; t++) {
          const term = terms[t] as number;
          gradV[term] = (gradV[term] as number) + dz * (values[t] as number);
        }
      }
      const adam = model.adam;
      adam.t++;
      const correction1 = 1 - beta1 ** adam.t;
      const correction2 = 1 - beta2 ** adam.t;
      const update = (g: number, m: number, v: number): [number, number, number] => {
        const m1 = beta1 * m + (1 - beta1) * g;
        const v1 = beta2 * v + (1 - beta2) * g * g;
        return [m1, v1, (learningRate * (m1 / correction1)) / (Math.sqrt(v1 / correction2) + 1e-8)];
      };
      const [mw, vw] = adam.w;
      for (let k = 0; k < hidden; k++) {
        const g = (gradW[k] as number) + queryPull * ((model.w[k] as number) - (model.w0[k] as number));
        const [m1, v1, delta] = update(g, mw[k] as number, vw[k] as number);
        mw[k] = m1;
        vw[k] = v1;
        model.w[k] = (model.w[k] as number) - delta;
      }
      const [mv, vv] = adam.v;
      for (const term of model.active) {
        const weight = model.v[term] as number;
        const [m1, v1, delta] = update((gradV[term] as number) + lexicalPull * weight, mv[term] as number, vv[term] as number);
        mv[term] = m1;
        vv[term] = v1;
        model.v[term] = weight - delta;
      }
      const [m1, v1, delta] = update(gradB, adam.b[0], adam.b[1]);
      adam.b = [m1, v1];
      model.b -= delta;
    }
  }
}
