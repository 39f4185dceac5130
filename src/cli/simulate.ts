// Over 300 lines: option parsing, the three starts (scheme, taught or fine-tuned folder), the screening loop and its summary metrics in one command; to be split when Teach gets its worker.
/** `labelwise simulate`: the taught-scheme learner screening a labelled file, its gold labels as the decisions. */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Classifier, scorePredictions } from '../core';
import { errorMessage } from '../core/errors';
import {
  type Decision,
  describeLabels,
  Learner,
  type LoadedTaught,
  loadTaughtFolder,
  modelFolderKind,
  parseScheme,
  recallAt,
  type Scheme,
  screeningOrder,
  writeTaughtFolder,
  wssAt,
} from '../core/learner';
import {
  featuresOf,
  type OpenedEncoder,
  openClassifier,
  openFeatureEncoder,
  parseOptions,
  parseThreads,
  readJsonLines,
  recordText,
  requireOption,
  USAGE_ERROR,
  UsageError,
  writeLine,
} from './shared';

export const summary = 'screen a labelled file with a taught scheme, learning from every gold decision';

const HELP = `Usage: labelwise simulate --data FILE.jsonl (--scheme SCHEME.json | --from-model DIR) [--label NAME] [--seed N]
                          [--summary FILE] [--eval FILE.jsonl] [--encoder DIR] [--cache DIR] [--export DIR] > steps.jsonl

Screens every document of --data in the order the app shows them, starting from the label descriptions alone
and training after every decision, taking each document's gold "labels" as the decision. Writes one line per
decision: {"step", "id", "scores": {label: probability before the decision}, "decision": [labels], "model_version"}.
The scheme file has the shape of data/<set>/labels.json ({"labels": [{"name", "description"}], "task"?}).

Options:
  --label NAME     screen for one label, most likely relevant first (default: the whole scheme, most uncertain first)
  --stop-after N   stop after N decisions (a learning curve needs only the first few hundred)
  --stop-at-last-relevant  with --label: stop once every relevant document is found (as ASReview's simulate does;
                   WSS and recall are the same, the rest of the order being irrelevant)
  --seed N         breaks ties in the order (default 0)
  --summary FILE   writes WSS@95 and recall after 10% screened (with --label), training times, and with --eval
                   micro/macro-F1 on --eval at steps 0, 10, 25, 50, 100, 200, 400
  --eval FILE      labelled documents scored (never decided) for --summary
  --from-model DIR start from a model folder instead of the descriptions alone: a taught folder (its learner
                   goes on learning; its scheme is used) or a shipped fine-tuned folder (its labels are the scheme
                   and its logits join each label's score with a learned weight). Figures from it say so.
  --export DIR     after the last decision, train on all of them and write the model as a taught folder
  --encoder DIR    the encoder folder (default public/models/minilm-encoder; a taught --from-model brings its own)
  --cache DIR      encoder features kept on disk by encoder and text hash (default .cache/features; "" for none)
  --threads N      ONNX Runtime intra-op threads (default: all cores)
Bad lines are reported with their line number and left out; exit status 1 if any was, 2 for usage errors.
`;

const EVAL_STEPS = [0, 10, 25, 50, 100, 200, 400];

interface Labelled {
  id: string | number;
  text: string;
  labels: string[];
}

async function readLabelled(file: string, scheme: Scheme, report: (line: string) => void): Promise<Labelled[]> {
  const names = new Set(scheme.labels.map((label) => label.name));
  const records: Labelled[] = [];
  for await (const input of readJsonLines(createReadStream(file))) {
    try {
      if ('error' in input) throw new Error(input.error);
      const { record } = input;
      const id = record.id;
      if (!((typeof id === 'string' && id !== '') || typeof id === 'number'))
        throw new Error('field "id": expected a non-empty string or a number');
      const labels = record.labels;
      if (!Array.isArray(labels) || !labels.every((label) => typeof label === 'string'))
        throw new Error('field "labels": expected an array of label names');
      const unknown = labels.find((label) => !names.has(label));
      if (unknown !== undefined) throw new Error(`field "labels": "${unknown}" is not a label of the scheme`);
      records.push({ id, text: recordText(record), labels });
    } catch (error) {
      report(`${file}: line ${input.line}: ${errorMessage(error)}`);
    }
  }
  return records;
}

/** Where the learner starts: the descriptions (a scheme file), a taught folder or a fine-tuned folder. */
type Start =
  | { kind: 'scheme'; scheme: Scheme }
  | { kind: 'taught'; scheme: Scheme; taught: LoadedTaught }
  | { kind: 'classifier'; scheme: Scheme; classifier: Classifier };

async function readStart(options: { scheme?: string; fromModel?: string; threads: number }): Promise<Start> {
  if (options.fromModel !== undefined) {
    const folder = options.fromModel;
    const read = (name: string) => readFile(path.join(folder, name));
    try {
      if ((await modelFolderKind(read)) === 'taught') {
        const taught = await loadTaughtFolder(read);
        return { kind: 'taught', scheme: taught.learner.scheme, taught };
      }
      const classifier = await openClassifier(folder, 'int8', options.threads);
      const { task, labels } = classifier.manifest;
      return { kind: 'classifier', scheme: { task, labels: labels.map(({ name, description }) => ({ name, description })) }, classifier };
    } catch (error) {
      throw new Error(`--from-model ${folder}: ${errorMessage(error)}`);
    }
  }
  const file = options.scheme as string;
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${errorMessage(error)})`);
  }
  return { kind: 'scheme', scheme: parseScheme(json, file) };
}

/** The classifier's logits of each text (log-odds per label, or log-probabilities for a single-label model). */
async function startLogits(classifier: Classifier, texts: string[]): Promise<Float32Array[]> {
  const names = classifier.manifest.labels.map((label) => label.name);
  const single = classifier.manifest.task === 'single_label';
  const out: Float32Array[] = [];
  for (const text of texts) {
    const { scores } = await classifier.classify(text, { attention: false });
    out.push(
      Float32Array.from(names, (name) => {
        const p = Math.min(1 - 1e-6, Math.max(1e-6, scores[name] as number));
        return single ? Math.log(p) : Math.log(p / (1 - p));
      }),
    );
  }
  return out;
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

export async function run(args: string[]): Promise<number> {
  let options: {
    data: string;
    scheme?: string;
    label?: string;
    stopAtLastRelevant: boolean;
    stopAfter: number;
    fromModel?: string;
    export?: string;
    seed: number;
    summary?: string;
    eval?: string;
    encoder: string;
    cache: string;
    threads: number;
  };
  try {
    const values = parseOptions(args, {
      data: { type: 'string' },
      scheme: { type: 'string' },
      'from-model': { type: 'string' },
      export: { type: 'string' },
      label: { type: 'string' },
      'stop-at-last-relevant': { type: 'boolean' },
      'stop-after': { type: 'string' },
      seed: { type: 'string' },
      summary: { type: 'string' },
      eval: { type: 'string' },
      encoder: { type: 'string' },
      cache: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (values['stop-at-last-relevant'] && values.label === undefined) throw new UsageError('--stop-at-last-relevant needs --label');
    if (values.scheme !== undefined && values['from-model'] !== undefined)
      throw new UsageError('give --scheme or --from-model, not both (a model folder brings its scheme)');
    const stopAfter = values['stop-after'] === undefined ? Number.POSITIVE_INFINITY : Number(values['stop-after']);
    if (!(Number.isInteger(stopAfter) && stopAfter > 0) && stopAfter !== Number.POSITIVE_INFINITY)
      throw new UsageError(`--stop-after must be a positive integer (got "${values['stop-after']}")`);
    const seed = Number(values.seed ?? '0');
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer (got "${values.seed}")`);
    options = {
      data: requireOption(values.data, 'data'),
      scheme: values['from-model'] === undefined ? requireOption(values.scheme, 'scheme') : values.scheme,
      fromModel: values['from-model'],
      export: values.export,
      label: values.label,
      stopAtLastRelevant: values['stop-at-last-relevant'] ?? false,
      stopAfter,
      seed,
      summary: values.summary,
      eval: values.eval,
      encoder: values.encoder ?? 'public/models/minilm-encoder',
      cache: values.cache ?? '.cache/features',
      threads: parseThreads(values.threads),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`labelwise simulate: ${error.message}\n\n${HELP}`);
    return USAGE_ERROR;
  }
  const fail = (text: string) => {
    process.stderr.write(`labelwise simulate: ${text}\n`);
    return USAGE_ERROR;
  };

  let start: Start;
  try {
    start = await readStart(options);
  } catch (error) {
    return fail(errorMessage(error));
  }
  const { scheme } = start;
  const schemeSource = options.fromModel ?? (options.scheme as string);
  const labelIndex = options.label === undefined ? undefined : scheme.labels.findIndex((label) => label.name === options.label);
  if (labelIndex === -1)
    return fail(`--label "${options.label}" is not a label of ${schemeSource} (${scheme.labels.map((l) => l.name).join(', ')})`);

  let badLines = 0;
  const report = (line: string) => {
    badLines++;
    process.stderr.write(`labelwise simulate: ${line}\n`);
  };
  let pool: Labelled[];
  let evaluation: Labelled[] = [];
  try {
    pool = await readLabelled(options.data, scheme, report);
    if (options.eval !== undefined) evaluation = await readLabelled(options.eval, scheme, report);
  } catch (error) {
    return fail(errorMessage(error));
  }
  if (pool.length === 0) return fail(`${options.data}: no usable documents`);

  let opened: OpenedEncoder;
  try {
    opened = await openFeatureEncoder(start.kind === 'taught' ? start.taught : options.encoder, options.threads);
  } catch (error) {
    return fail(`encoder folder ${options.encoder}: ${errorMessage(error)}`);
  }
  const { encoder, encoderHash, release } = opened;

  const encodeStarted = performance.now();
  const documents = [...pool, ...evaluation];
  const features = await featuresOf(
    documents.map((doc) => doc.text),
    encoder,
    encoderHash,
    options.cache,
  );
  const descriptions = start.kind === 'taught' ? [] : await describeLabels(scheme, encoder);
  await release();
  const encodeSeconds = (performance.now() - encodeStarted) / 1000;
  // The eval documents join the pool's statistics (idf, the prior's scale) but are never decided.
  const learner = start.kind === 'taught' ? Learner.fromState(start.taught.state, features) : new Learner(scheme, descriptions, features);
  if (start.kind === 'classifier') {
    learner.startFromLogits(
      await startLogits(
        start.classifier,
        documents.map((doc) => doc.text),
      ),
    );
    await start.classifier.dispose();
  }
  for (const note of learner.notes) process.stderr.write(`labelwise simulate: ${note}\n`);

  // A seeded permutation breaks ties (e.g. documents with identical text) reproducibly.
  const tieBreak = new Uint32Array(pool.length);
  let state = (options.seed * 2654435761 + 1) >>> 0;
  const order = Array.from({ length: pool.length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  order.forEach((doc, rank) => {
    tieBreak[doc] = rank;
  });

  const only = labelIndex === undefined ? undefined : [labelIndex];
  const probs = (doc: number): Float64Array =>
    labelIndex === undefined
      ? learner.score(doc)
      : Float64Array.of(...scheme.labels.map((_, l) => (l === labelIndex ? learner.probability(doc, l) : Number.NaN)));
  let cached = new Map<number, Float64Array>();
  const undecided = new Set(order);
  const decisions: Decision[] = [];
  const relevant: boolean[] = [];
  const labelName = labelIndex === undefined ? undefined : (scheme.labels[labelIndex] as { name: string }).name;
  const relevantTotal = labelName === undefined ? 0 : pool.filter((doc) => doc.labels.includes(labelName)).length;
  const trainingMs: Array<[number, number]> = [];
  const evaluations: Record<string, unknown> = {};
  const evaluate = () => {
    if (evaluation.length === 0) return;
    const names = scheme.labels.map((label) => label.name);
    const predicted = evaluation.map((_, e) => {
      const p = learner.score(pool.length + e);
      if (scheme.task === 'single_label') return [names[p.indexOf(Math.max(...p))] as string];
      return names.filter((_, l) => (p[l] as number) >= 0.5);
    });
    const f1 = scorePredictions(
      names,
      evaluation.map((doc) => doc.labels),
      predicted,
      scheme.task,
    );
    evaluations[String(decisions.length)] = {
      micro_f1: f1.micro_f1,
      macro_f1: f1.macro_f1,
      ...(f1.accuracy === undefined ? {} : { accuracy: f1.accuracy }),
    };
  };
  const simulateStarted = performance.now();
  for (let step = 0; step < pool.length; step++) {
    if (EVAL_STEPS.includes(step)) evaluate();
    const next = screeningOrder(
      undecided,
      (doc) => {
        let p = cached.get(doc);
        if (p === undefined) {
          p = probs(doc);
          cached.set(doc, p);
        }
        return p;
      },
      labelIndex === undefined ? 'uncertainty' : { label: labelIndex },
      tieBreak,
    );
    const doc = pool[next] as Labelled;
    const before = cached.get(next) as Float64Array;
    const scores: Record<string, number> = {};
    scheme.labels.forEach((label, l) => {
      if (!Number.isNaN(before[l] as number)) scores[label.name] = Number((before[l] as number).toFixed(6));
    });
    await writeLine(process.stdout, JSON.stringify({ step, id: doc.id, scores, decision: doc.labels, model_version: learner.version }));
    undecided.delete(next);
    decisions.push({ doc: next, labels: doc.labels });
    if (labelIndex !== undefined) relevant.push(doc.labels.includes((scheme.labels[labelIndex] as { name: string }).name));
    const last =
      undecided.size === 0 ||
      decisions.length >= options.stopAfter ||
      (options.stopAtLastRelevant && relevant.filter(Boolean).length === relevantTotal);
    // The last decision is trained on only for --export or an evaluation step (no step's scores use that model).
    if (last && options.export === undefined && !(evaluation.length > 0 && EVAL_STEPS.includes(decisions.length))) break;
    const trained = learner.train(decisions, only);
    trainingMs.push([decisions.length, trained.milliseconds]);
    cached = new Map();
    if (last) break;
  }
  if (EVAL_STEPS.includes(decisions.length)) evaluate();
  if (options.export !== undefined) {
    try {
      const files = await writeTaughtFolder(learner, (name) => readFile(path.join(options.encoder, name)), {
        id: path.basename(path.resolve(options.export)),
        trained: { data: options.data, scheme: schemeSource, label: options.label ?? null, seed: options.seed },
      });
      await mkdir(options.export, { recursive: true });
      for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(options.export, name), bytes);
    } catch (error) {
      return fail(`--export ${options.export}: ${errorMessage(error)}`);
    }
  }

  if (options.summary !== undefined) {
    const timesAt = (from: number, to: number) => {
      const sorted = trainingMs
        .filter(([n]) => n >= from && n <= to)
        .map(([, ms]) => ms)
        .sort((a, b) => a - b);
      return { trainings: sorted.length, p50_ms: quantile(sorted, 0.5), p95_ms: quantile(sorted, 0.95) };
    };
    const result = {
      data: options.data,
      scheme: schemeSource,
      from_model: options.fromModel ?? null,
      label: options.label ?? null,
      seed: options.seed,
      documents: pool.length,
      ...(labelIndex === undefined
        ? {}
        : (() => {
            // Stopped at the last relevant document: the rest of the order is irrelevant.
            const order = [...relevant, ...Array<boolean>(pool.length - relevant.length).fill(false)];
            return {
              relevant: relevantTotal,
              screened: relevant.length,
              wss_at_95: wssAt(order, 0.95),
              recall_at_10: recallAt(order, 0.1),
            };
          })()),
      evaluation: evaluation.length > 0 ? { file: options.eval, documents: evaluation.length, by_step: evaluations } : null,
      encoder_seconds: encodeSeconds,
      simulate_seconds: (performance.now() - simulateStarted) / 1000,
      training_ms: { around_50: timesAt(40, 60), around_500: timesAt(480, 520), all: timesAt(0, Number.POSITIVE_INFINITY) },
      notes: learner.notes,
      bad_lines: badLines,
    };
    await writeFile(options.summary, `${JSON.stringify(result, null, 2)}\n`);
  }
  return badLines > 0 ? 1 : 0;
}
