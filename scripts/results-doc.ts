/**
 * Writes docs/results.md and the README's headline figures (between `<!-- figures:start -->` and
 * `<!-- figures:end -->`) from bench/results/*.json and public/models/*\/model.json, so no figure is typed by hand:
 *   npm run docs:results
 * tests/scripts/results-doc.test.ts fails when either file differs from what this would write.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// biome-ignore lint/suspicious/noExplicitAny: the result files are free-form JSON, read field by field below.
type Json = any;

export const FIGURES_START = '<!-- figures:start -->';
export const FIGURES_END = '<!-- figures:end -->';

/** A number with `digits` decimals, or a dash where the file has none. */
function num(value: unknown, digits = 3): string {
  return typeof value === 'number' ? value.toFixed(digits) : '—';
}

function percent(share: unknown, digits = 1): string {
  return typeof share === 'number' ? `${(share * 100).toFixed(digits)} %` : '—';
}

function megabytes(bytes: unknown): string {
  return typeof bytes === 'number' ? `${(bytes / 1e6).toFixed(1)} MB` : '—';
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Where a set of figures came from: the command, the file, when and on which CPU. */
function source(command: string, file: string, result: Json): string {
  const cpu = result.machine?.cpu ?? result.cpu ?? 'CPU not recorded';
  const date = typeof result.date === 'string' ? result.date.slice(0, 10) : 'date not recorded';
  return `Source: \`${command}\` → \`${file}\` (${date}, ${cpu}).`;
}

export interface Inputs {
  results: Record<string, Json>;
  models: Json[];
}

export function readInputs(root: string): Inputs {
  const resultsDir = join(root, 'bench/results');
  const results: Record<string, Json> = {};
  for (const name of readdirSync(resultsDir).sort()) {
    if (name.endsWith('.json')) results[name] = JSON.parse(readFileSync(join(resultsDir, name), 'utf8'));
  }
  const modelsDir = join(root, 'public/models');
  const models = readdirSync(modelsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => JSON.parse(readFileSync(join(modelsDir, name, 'model.json'), 'utf8')));
  return { results, models };
}

function devScore(metrics: Json, task: string): string {
  const dev = metrics?.dev ?? {};
  return task === 'single_label'
    ? `accuracy ${num(dev.accuracy)}, macro-F1 ${num(dev.macro_f1)}`
    : `micro-F1 ${num(dev.micro_f1)}, macro-F1 ${num(dev.macro_f1)}`;
}

function modelsSection(models: Json[]): string {
  const rows = models.map((model) => {
    const int8 = model.metrics?.int8 ?? {};
    const evidence = model.metrics?.dev_evidence;
    const recheck = int8.with_borderline_recheck;
    return [
      `\`${model.id}\` ${model.version}`,
      model.task,
      devScore(model.metrics, model.task),
      evidence?.evidence_agreement === undefined
        ? 'n/a'
        : `${num(evidence.evidence_agreement)} (random ${num(evidence.random_sentence, 4)})`,
      `${percent(int8.same_label_set_as_fp32)}${recheck ? `; with the recheck ${percent(recheck.same_label_set_as_fp32)}` : ''}`,
      `${model.trained?.epochs ?? '—'} × ${num(model.trained?.seconds_per_epoch, 0)} s, ${model.trained?.peak_rss_mib ?? '—'} MiB`,
    ];
  });
  return [
    '## Shipped models',
    '',
    'Source: each `public/models/*/model.json` (written by `python -m train.export`; `make models` rebuilds them). ' +
      'Dev figures are fp32; int8 agreement is the share of dev documents whose label set equals fp32’s.',
    '',
    table(['model', 'task', 'dev', 'evidence agreement', 'int8 same labels as fp32', 'epochs × s/epoch, peak RSS'], rows),
  ].join('\n');
}

function trainingSection(training: Json): string {
  const runs = Object.entries(training.runs ?? {}) as [string, Json][];
  const rows = runs.map(([name, run]) => [
    `\`${name}\``,
    run.config?.label_attention ? 'label attention' : '`[CLS]` baseline',
    String(run.config?.evidence_weight ?? '—'),
    String(run.config?.train_layers ?? '—'),
    String(run.config?.epochs ?? '—'),
    devScore(run, run.task),
    run['dev_at_0.5'] === undefined ? '—' : `${num(run['dev_at_0.5']?.micro_f1)} / ${num(run['dev_at_0.5']?.macro_f1)}`,
    run.threshold_rule?.rule ?? (run.task === 'single_label' ? 'argmax' : 'per-label (before the rule)'),
    num(run.dev_evidence?.evidence_agreement),
    `${num(run.seconds_per_epoch, 0)} s, ${run.peak_rss_mib ?? '—'} MiB`,
  ]);
  const sweep = training.evidence_sweep ?? {};
  const sweepRows = (sweep.runs ?? []).map((run: Json) => [
    `\`${run.run}\`${run.run === sweep.chosen ? ' (chosen)' : ''}`,
    String(run.evidence_weight),
    String(run.train_layers),
    String(run.epochs),
    run.thresholds,
    num(run.micro_f1),
    num(run.macro_f1),
    num(run.evidence_agreement),
    num(run.evidence_mass),
  ]);
  return [
    '## Training runs',
    '',
    'Source: `make models` → `bench/results/training.json` (from each run’s `metrics.json`; CPU not recorded: ' +
      'seconds per epoch vary by about 2× between runs on shared machines). Batch 16, seed 13 throughout.',
    '',
    table(
      [
        'run',
        'head',
        'evidence weight',
        'layers trained',
        'epochs',
        'dev',
        'micro / macro at 0.5',
        'thresholds',
        'evidence agreement',
        's/epoch, peak RSS',
      ],
      rows,
    ),
    '',
    `### Evidence-loss sweep (HoC)`,
    '',
    `Rule: ${sweep.rule ?? '—'}. Random-sentence agreement: ${num(sweep.runs?.[0]?.random_sentence, 4)}.`,
    '',
    table(['run', 'weight', 'layers', 'epochs', 'thresholds', 'micro-F1', 'macro-F1', 'evidence agreement', 'mass in evidence'], sweepRows),
  ].join('\n');
}

function agreementSection(file: string, result: Json): string {
  const rows = (['node', 'wasm'] as const)
    .filter((runtime) => result.int8?.[runtime])
    .map((runtime) => {
      const figures = result.int8[runtime];
      const recheck = figures.with_borderline_recheck;
      return [
        figures.runtime,
        percent(figures.same_label_set_as_fp32, 2),
        (figures.documents_that_differ ?? []).join(', ') || 'none',
        `${num(figures.mean_probability_difference, 5)} / ${num(figures.max_probability_difference, 4)}`,
        recheck ? `${percent(recheck.same_label_set_as_fp32, 2)} (${recheck.documents_rechecked} rescored by ${recheck.graph})` : 'n/a',
      ];
    });
  return [
    `### ${result.model?.id} ${result.model?.version}, ${result.data?.documents} dev documents`,
    '',
    source(result.command ?? 'npm run bench:agreement', `bench/results/${file}`, result),
    '',
    table(
      ['runtime', 'same label set as fp32', 'documents that differ', 'mean / max probability difference', 'with the borderline recheck'],
      rows,
    ),
    '',
    `int8 on onnxruntime-node vs WASM: mean / max difference ${num(result.int8_node_vs_wasm?.mean_probability_difference, 5)} / ` +
      `${num(result.int8_node_vs_wasm?.max_probability_difference, 4)}.`,
  ].join('\n');
}

function browserSection(result: Json): string {
  const wasm = result.wasm ?? {};
  const webgpu = result.webgpu_swiftshader ?? {};
  const rows = [
    [
      `per abstract, WASM, ${wasm.threads} threads (worker: tokenize, windows, run, words)`,
      `median ${num(wasm.latency?.median_ms, 1)} ms (target ${wasm.target_median_ms} ms), p95 ${num(wasm.latency?.p95_ms, 1)} ms, max ${num(wasm.latency?.max_ms, 1)} ms`,
    ],
    [
      'page round trip (fill + click to rendered heatmap, driver included)',
      `median ${wasm.page_round_trip?.median_ms} ms, p95 ${wasm.page_round_trip?.p95_ms} ms`,
    ],
    [
      `model load, cold (${megabytes(result.load?.cold?.downloaded_bytes)}) / from Cache Storage`,
      `${num(result.load?.cold?.load_ms / 1000, 2)} s / ${num(result.load?.from_cache?.load_ms / 1000, 2)} s`,
    ],
    [
      'peak memory: renderer / all Chromium processes / main-thread JS heap',
      `${result.memory?.peak_largest_process_rss_mb} / ${result.memory?.peak_chromium_rss_mb} / ${result.memory?.peak_main_thread_js_heap_mb} MB`,
    ],
    [
      `WebGPU, software adapter, ${webgpu.load?.graph}, ${webgpu.latency?.n} abstracts (correctness only)`,
      `median ${num(webgpu.latency?.median_ms / 1000, 1)} s`,
    ],
  ];
  return [
    `## In the page: ${result.model?.id} ${result.model?.version}, ${result.data?.documents} dev abstracts`,
    '',
    `${source(result.command, 'bench/results/browser-latency.json', result)} ${result.browser}, onnxruntime-web ${result.onnxruntime_web}.`,
    '',
    table(['what', 'figure'], rows),
  ].join('\n');
}

function ortBuildsSection(result: Json): string {
  const rows = (Object.entries(result.builds ?? {}) as [string, Json][]).map(([name, build]) => [
    name,
    `\`${build.module}\``,
    build.providers,
    `${num(build.median_ms, 1)} ms`,
    num(build.median_ratio_to_plain),
    `${(build.load_ms_per_round ?? []).map((ms: number) => num(ms, 0)).join(', ')} ms`,
    String(build.max_abs_logit_diff_vs_plain),
  ]);
  return [
    `## onnxruntime-web builds: ${result.model?.id} ${result.model?.version}, ${result.data?.windows} windows, ${result.threads} threads, ${result.rounds} rounds`,
    '',
    source(result.command, 'bench/results/ort-builds.json', result),
    '',
    table(['build', 'module', 'providers', 'median per document', '× plain', 'load per round', 'max logit difference vs plain'], rows),
  ].join('\n');
}

function cliSection(result: Json): string {
  const contenders = result.results ?? {};
  const rows = (Object.entries(contenders) as [string, Json][]).map(([name, figures]) => [
    name,
    num(figures.docs_per_second, 2),
    num(figures.docs_per_second_including_startup, 2),
  ]);
  return [
    `## The CLI: ${result.model?.id} ${result.model?.version}, ${result.documents} documents, ${result.threads} threads, ${result.repeats} repeats`,
    '',
    `${source('npm run bench:cli -- --repeats 5', 'bench/results/cli-throughput.json', result)} Target: \`${result.target}\`.`,
    '',
    table(['contender', 'docs/s', 'docs/s with start-up'], rows),
    '',
    `CLI ÷ Python ONNX Runtime ${num(result.ratios?.cli_over_python_ort)} (per repeat ${(result.paired_ratios_sorted?.cli_over_python_ort ?? []).join(', ')}); ` +
      `CLI ÷ PyTorch eager ${num(result.ratios?.cli_over_pytorch_eager)}. Same labels, CLI vs Python ONNX Runtime: ` +
      `${result.agreement?.cli_vs_python_ort?.same_labels}; CLI vs PyTorch: ${result.agreement?.cli_vs_pytorch_eager?.same_labels}.`,
  ].join('\n');
}

/** Teach (issue 19): Enter while a taught scheme trains and rescores, beside the same session before the scheme. */
function teachRows(teach: Json | undefined): string[][] {
  if (!teach) return [];
  const during = teach.enter_accept_save_next ?? {};
  const before = teach.enter_same_session_before_the_scheme;
  return [
    [
      `keypress → next document while a taught scheme trains, ${teach.documents} in the queue (Enter)`,
      `p50 ${during.p50_ms} ms, p95 ${during.p95_ms} ms (target ${teach.target_p95_ms} ms)` +
        (before ? `; same session before the scheme: p95 ${before.p95_ms} ms (ratio ${teach.p95_ratio_teaching_to_before})` : '') +
        `; ${teach.trainings_during_keys} trainings during the keys`,
    ],
    [
      'Teach: encoder features kept per document (IndexedDB)',
      `${teach.features_bytes_per_document?.mean} bytes mean, ${teach.features_bytes_per_document?.max} max`,
    ],
  ];
}

function annotateSection(annotate: Json, importExport: Json): string {
  const keys = annotate.keypress_to_next_document ?? {};
  const annotateRows = [
    [
      `keypress → next document, ${annotate.documents} in the queue (Enter: accept, save, next)`,
      `p50 ${keys.enter_accept_save_next?.p50_ms} ms, p95 ${keys.enter_accept_save_next?.p95_ms} ms (target ${keys.target_p95_ms} ms)`,
    ],
    ['j (next only)', `p50 ${keys.j_next?.p50_ms} ms, p95 ${keys.j_next?.p95_ms} ms`],
    [
      `import ${annotate.documents} abstracts in the page (${annotate.import?.file_mb} MB)`,
      `${annotate.import?.median_seconds} s median, renderer peak ` +
        `${Math.max(...(annotate.import?.runs ?? []).map((run: Json) => run.renderer_rss_peak_mib))} MiB`,
    ],
    [
      `export ${annotate.documents} annotated documents in the page`,
      `JSONL ${annotate.export_10k?.jsonl?.seconds} s, CSV ${annotate.export_10k?.csv?.seconds} s`,
    ],
    ...teachRows(annotate.keypress_while_teaching),
  ];
  const importRows = (importExport.import ?? []).map((run: Json) => [
    run.format,
    String(run.documents),
    `${num(run.file_mb, 1)} MB`,
    `${num(run.ms / 1000, 2)} s`,
    `${num(run.peak_rss_mb, 0)} MB`,
  ]);
  return [
    '## Annotation',
    '',
    source('npm run bench:annotate', 'bench/results/annotate-latency.json', annotate),
    '',
    table(['what', 'figure'], annotateRows),
    '',
    `### Import in Node`,
    '',
    `${source(importExport.command, 'bench/results/import-export.json', importExport)} Export of ${importExport.export?.documents} documents: ` +
      `JSONL ${num(importExport.export?.jsonl_ms / 1000, 2)} s, CSV ${num(importExport.export?.csv_ms / 1000, 2)} s.`,
    '',
    table(['format', 'documents', 'file', 'time', 'peak RSS'], importRows),
  ].join('\n');
}

const BATCH_CONTENDERS: [string, string][] = [
  ['node_cli', '`labelwise classify`, 2 threads (JSONL)'],
  ['python_ort', '`bench/python_throughput.py`, one window per run, 2 threads (JSONL)'],
  ['plain_ort_1_thread', 'the job without Ray (its per-file function and Parquet output), 1 thread'],
  ['plain_ort_2_threads', 'the job without Ray (its per-file function and Parquet output), 2 threads'],
  ['ray_2_actors', '`labelwise_batch`, 2 actors of 1 thread'],
  ['ray_1_actor', '`labelwise_batch`, 1 actor of 2 threads'],
];

function batchSection(result: Json): string {
  const runs = result.throughput ?? {};
  const rows = BATCH_CONTENDERS.filter(([name]) => runs[name]).map(([name, what]) => {
    const run = runs[name];
    return [
      what,
      num(run.abstracts_per_second, 2),
      num(run.cpu_seconds_per_1000, 1),
      num(run.cpu_seconds_per_1000_after_startup, 1),
      `${num(run.startup?.cpu_seconds, 2)} s`,
      num(run.load_average, 1),
    ];
  });
  const overheads = result.ray_overhead ?? {};
  const overheadRows = (
    [
      ['ray_2_actors_vs_plain_1_thread', '2 actors of 1 thread ÷ without Ray, 1 thread'],
      ['ray_1_actor_vs_plain_2_threads', '1 actor of 2 threads ÷ without Ray, 2 threads'],
    ] as const
  )
    .filter(([key]) => overheads[key])
    .map(([key, what]) => {
      const figures = overheads[key];
      return [
        what,
        percent(figures.end_to_end),
        `${num(figures.fixed_cpu_seconds, 1)} s`,
        percent(figures.per_document),
        figures.documents_for_under_10_percent === undefined ? 'never' : String(figures.documents_for_under_10_percent),
      ];
    });
  const parts = overheads.ray_2_actors_vs_plain_1_thread?.by_process ?? {};
  const partRows = (Object.entries(parts.whole_input ?? {}) as [string, number][]).map(([part, seconds]) => [
    part,
    num(seconds, 2),
    num(parts.one_document?.[part], 2),
  ]);
  const scaling = result.scaling_on_paper ?? {};
  const wallRows = (scaling.wall_time ?? []).map((row: Json) => [
    String(row.nodes),
    String(row.cores_per_node),
    num(row.wall_hours, 1),
    num(row.actor_memory_per_node_gib, 1),
  ]);
  const parity = result.parity ?? {};
  const ratio = result.ray_2_actors_vs_node_cli ?? {};
  return [
    `## PubMed at scale: \`labelwise_batch\` on Ray Data, ${result.input?.documents} abstracts in ${result.input?.files} gzipped PubMed files`,
    '',
    `${source(result.command, 'bench/results/batch-throughput.json', result)} Load average ${result.load_average?.start} at the start, ` +
      `${result.load_average?.end} at the end, on ${result.cores} cores shared with other work: wall rates are stretched by the load, CPU seconds much less.`,
    '',
    `Parity on ${parity.data}: ${parity.same_labels} of ${parity.documents} documents with the CLI’s labels, largest score difference ` +
      `${typeof parity.max_score_difference === 'number' ? parity.max_score_difference.toExponential(1) : '—'} (${parity.rechecked} rescored by the borderline graph).`,
    '',
    table(['contender', 'abstracts/s', 'CPU s per 1,000', 'CPU s per 1,000 after start-up', 'CPU s on one document', 'load after'], rows),
    '',
    `Ray job, 2 actors ÷ \`labelwise classify\`: ${num(ratio.abstracts_per_second, 2)}× the abstracts per second, ` +
      `${num(ratio.cpu_seconds_per_1000, 2)}× the CPU seconds per 1,000 (target: at least as fast).`,
    '',
    '### Ray’s own overhead (CPU seconds of every process of the job, target under 10 %)',
    '',
    `${overheads.definition ?? ''}.`,
    '',
    table(['comparison', 'end to end', 'fixed (one document)', 'per document', 'documents for under 10 % end to end'], overheadRows),
    '',
    'CPU seconds by process, 2 actors (the plain run: ' +
      `${num(parts.plain_whole_input, 2)} s on the whole input, ${num(parts.plain_one_document, 2)} s on one document):`,
    '',
    table(['process', 'whole input', 'one document'], partRows),
    '',
    `### The baseline on paper (${scaling.cpu_seconds_per_citation} CPU s per citation)`,
    '',
    `${num(scaling.cpu_hours_whole_baseline, 0)} CPU hours; one file ${num(scaling.one_file_hours, 2)} h on one actor; ` +
      `memory per actor ${num(result.memory_per_actor_mib, 0)} MiB (largest RSS). The driver spends ` +
      `${scaling.driver_output_cpu_seconds_per_citation} CPU s per citation gathering scores and writing Parquet, enough for about ` +
      `${scaling.actors_one_driver_keeps_busy ?? '—'} actors, and ${scaling.driver_cpu_seconds_per_wall_second} CPU s per second on Ray Data’s loop.`,
    '',
    ...(scaling.assumptions ?? []).map((assumption: string) => `- ${assumption}`),
    '',
    table(['nodes', 'cores per node', 'wall hours', 'actor memory per node, GiB'], wallRows),
  ].join('\n');
}

function screeningSection(result: Json): string {
  const mean = result.mean ?? {};
  const targets = result.targets;
  const rows = (result.per_task ?? []).map((task: Json) => [
    task.pool,
    task.label,
    String(task.seeds),
    num(task.labelwise_wss_at_95),
    num(task.asreview_wss_at_95),
    num(task.labelwise_wss_at_95 - task.asreview_wss_at_95),
    num(task.labelwise_recall_at_10),
    num(task.asreview_recall_at_10),
  ]);
  return [
    '## Teach: screening against ASReview LAB',
    '',
    `${source(result.command, 'bench/results/screening.json', result)} Load average ${(result.load_average ?? []).join(', ') || '—'}.`,
    `Labelwise: ${result.labelwise}. ASReview: ${result.asreview}.`,
    '',
    `Mean over ${result.runs_paired} paired runs: WSS@95 ${num(mean.labelwise?.wss_at_95)} vs ${num(mean.asreview?.wss_at_95)}, ` +
      `recall after 10 % ${num(mean.labelwise?.recall_at_10)} vs ${num(mean.asreview?.recall_at_10)}. ` +
      (targets
        ? `Target (mean gain ≥ ${targets.mean_wss_gain_target}, no task below ${targets.worst_task_gap_target}): gain ${num(targets.mean_wss_gain)}, worst task ${num(targets.worst_task_gap)}: ${targets.met ? 'met' : 'not met'}.`
        : '') +
      (result.complete ? '' : ` Incomplete: ${(result.missing ?? []).length} run(s) missing (listed in the file).`),
    '',
    table(['pool', 'label', 'seeds', 'WSS@95 Labelwise', 'WSS@95 ASReview', 'gap', 'recall@10 % Labelwise', 'recall@10 % ASReview'], rows),
  ].join('\n');
}

function learningCurveSection(result: Json): string {
  const parts = ['## Teach: learning curve', '', `${source(result.command, 'bench/results/learning-curve.json', result)}`];
  for (const [name, set] of Object.entries(result.sets ?? {}) as [string, Json][]) {
    const f1 = (value: Json) => (value ? `${num(value.micro_f1)} / ${num(value.macro_f1)}` : '—');
    const baselines = Object.entries(set.tfidf_logistic_regression ?? {}) as [string, Json][];
    const rows = (result.steps ?? []).map((step: number) => [
      String(step),
      f1(set.labelwise?.[String(step)]),
      ...baselines.map(([, curve]) => f1(curve[String(step)])),
    ]);
    parts.push(
      '',
      `### ${name}: pool ${set.documents?.pool} (\`${set.pool}\`), scored on ${set.documents?.eval} (\`${set.eval}\`), ${set.task}`,
      '',
      `Shipped fine-tuned ${set.shipped_fine_tuned?.model} (${set.shipped_fine_tuned?.trained_on}): micro / macro-F1 ` +
        `${f1(set.shipped_fine_tuned?.dev)}. Above TF-IDF at every step from 25: ${set.above_tfidf_from_25 ? 'yes' : 'no'}.`,
      '',
      table(['decisions', 'Labelwise micro / macro-F1', ...baselines.map(([name]) => `TF-IDF + LR (${name}) micro / macro-F1`)], rows),
    );
  }
  return parts.join('\n');
}

function learnerSpeedSection(result: Json): string {
  const times = (value: Json) => (value ? `p50 ${num(value.median_ms, 1)} ms, p95 ${num(value.p95_ms, 1)} ms` : '—');
  const training = result.training_ms_after_decisions ?? {};
  const rows = [
    ...Object.entries(training).map(([at, value]: [string, Json]) => [
      `training after a decision, ${at} decisions: one label / ten labels`,
      `${times(value.one_label)} / ${times(value.ten_labels)}`,
    ]),
    [
      'ten-label training at 2,000 decisions that learns the attention again (once the decisions grow by a tenth) / one that does not',
      `${result.ten_label_training_at_2000_learning_attention?.with_attention_learned_ms ?? '—'} ms / ${result.ten_label_training_at_2000_learning_attention?.without_ms ?? '—'} ms`,
    ],
    [
      `rescoring ${result.pool} documents: one label / ten labels`,
      `${times(result.rescoring_10000_ms?.one_label)} / ${times(result.rescoring_10000_ms?.ten_labels)}`,
    ],
    [
      `building the learner over ${result.pool} documents`,
      `${result.build_10000_ms} ms, ${result.learner_memory_mib_10000} MiB (heap and typed arrays)`,
    ],
    [
      'stored features per document (IndexedDB / feature cache)',
      `${result.stored_feature_bytes_per_document?.mean} B mean, ${result.stored_feature_bytes_per_document?.max} B max; ` +
        `${result.stored_feature_bytes_per_document?.for_10000_documents_mib} MiB for 10,000`,
    ],
    ['saved learner state at 2,000 decisions, ten labels', megabytes(result.saved_state_bytes_at_2000_decisions)],
  ];
  return [
    '## Teach: learner speed',
    '',
    `${source(result.command, 'bench/results/learner-speed.json', result)} Load average before / after ` +
      `${(result.load_average?.before ?? []).join(', ')} / ${(result.load_average?.after ?? []).join(', ')}. ${result.note}. ` +
      `Targets: training p95 ${result.targets?.training_p95_ms_at_2000} ms at 2,000 decisions, rescoring 10,000 in ${result.targets?.rescoring_10000_ms} ms.`,
    '',
    table(['what', 'figure'], rows),
  ].join('\n');
}

/** The files this script renders a section for; any other result file is listed at the end so none goes unseen. */
const RENDERED = new Set([
  'training.json',
  'int8-agreement.json',
  'int8-agreement-mtc5.json',
  'browser-latency.json',
  'ort-builds.json',
  'cli-throughput.json',
  'annotate-latency.json',
  'import-export.json',
  'batch-throughput.json',
  'screening.json',
  'learning-curve.json',
  'learner-speed.json',
]);

export function renderResults({ results, models }: Inputs): string {
  const sections = [
    '# Results',
    '',
    '<!-- Generated by `npm run docs:results` (scripts/results-doc.ts) from bench/results/*.json and public/models/*/model.json. Do not edit: rerun it. -->',
    '',
    'Every figure below is read from the file named with it. Machines are shared and noisy (2 cores), so speed is ' +
      'compared side by side within one run; figures from different CPUs are no ratio. Why things are as they are: ' +
      '[decisions](decisions/). Each model’s history: its card (`public/models/*/README.md`).',
    '',
    modelsSection(models),
  ];
  if (results['training.json']) sections.push('', trainingSection(results['training.json']));
  const agreements = ['int8-agreement.json', 'int8-agreement-mtc5.json'].filter((file) => results[file]);
  if (agreements.length > 0) {
    sections.push('', '## Quantized graphs against fp32');
    for (const file of agreements) sections.push('', agreementSection(file, results[file]));
  }
  if (results['browser-latency.json']) sections.push('', browserSection(results['browser-latency.json']));
  if (results['ort-builds.json']) sections.push('', ortBuildsSection(results['ort-builds.json']));
  if (results['cli-throughput.json']) sections.push('', cliSection(results['cli-throughput.json']));
  if (results['annotate-latency.json'] && results['import-export.json']) {
    sections.push('', annotateSection(results['annotate-latency.json'], results['import-export.json']));
  }
  if (results['batch-throughput.json']) sections.push('', batchSection(results['batch-throughput.json']));
  if (results['screening.json']) sections.push('', screeningSection(results['screening.json']));
  if (results['learning-curve.json']) sections.push('', learningCurveSection(results['learning-curve.json']));
  if (results['learner-speed.json']) sections.push('', learnerSpeedSection(results['learner-speed.json']));
  const others = Object.keys(results).filter((file) => !RENDERED.has(file));
  if (others.length > 0) {
    sections.push('', '## Other results', '', 'No section renders these yet; the files hold the figures.', '');
    for (const file of others) {
      const result = results[file];
      sections.push(
        `- \`bench/results/${file}\`: ${result.benchmark ?? 'benchmark not named'} (${source(result.command ?? '—', file, result)})`,
      );
    }
  }
  return `${sections.join('\n')}\n`;
}

/** The README's headline rows: one per piece (model, page, CLI, annotation, batch, Teach); the rest in docs/results.md. */
export function renderHeadline({ results, models }: Inputs): string {
  const hoc = models.find((model) => model.id === 'hoc-minilm-lame') ?? models[0];
  const browser = results['browser-latency.json'];
  const cli = results['cli-throughput.json'];
  const annotate = results['annotate-latency.json'];
  const batch = results['batch-throughput.json'];
  const screening = results['screening.json'];
  const cpu = (result: Json) => result?.machine?.cpu ?? result?.cpu ?? 'CPU not recorded';
  const rows = [
    [`HoC dev micro-F1, \`${hoc.id}\` ${hoc.version}`, num(hoc.metrics?.dev?.micro_f1), '`model.json` → `metrics.dev`'],
    [
      'per abstract in the page, WASM, median',
      `${num(browser?.wasm?.latency?.median_ms, 1)} ms (target ${browser?.wasm?.target_median_ms} ms; ${cpu(browser)})`,
      '`npm run bench:browser`',
    ],
    [
      '`labelwise classify` ÷ Python ONNX Runtime, docs/s',
      `${num(cli?.ratios?.cli_over_python_ort)} (target ≥ 1; ${cpu(cli)})`,
      '`npm run bench:cli -- --repeats 5`',
    ],
    [
      'keypress → next document, p95, 10,000 in the queue',
      `${annotate?.keypress_to_next_document?.enter_accept_save_next?.p95_ms} ms (target ${annotate?.keypress_to_next_document?.target_p95_ms} ms; ${cpu(annotate)})`,
      '`npm run bench:annotate`',
    ],
    [
      '`labelwise_batch` on Ray Data, 2 actors ÷ `labelwise classify`, abstracts/s',
      `${num(batch?.ray_2_actors_vs_node_cli?.abstracts_per_second, 2)} (target ≥ 1; load ${batch?.load_average?.start}; ${cpu(batch)})`,
      '`python bench/batch_throughput.py`',
    ],
    ...(screening?.mean
      ? [
          [
            `Teach: screening WSS@95, mean of ${screening.runs_paired} runs, Labelwise (no labelled start) vs ASReview LAB`,
            `${num(screening.mean.labelwise?.wss_at_95)} vs ${num(screening.mean.asreview?.wss_at_95)} (target +0.05)`,
            '`bench/screening.py`',
          ],
        ]
      : []),
  ];
  return table(['what', 'figure', 'from'], rows);
}

/** The README with its figures block replaced by `block`. */
export function withHeadline(readme: string, block: string): string {
  const start = readme.indexOf(FIGURES_START);
  const end = readme.indexOf(FIGURES_END);
  if (start < 0 || end < start) throw new Error(`README.md: no ${FIGURES_START} … ${FIGURES_END} block`);
  return `${readme.slice(0, start + FIGURES_START.length)}\n${block}\n${readme.slice(end)}`;
}

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../..');

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const inputs = readInputs(REPO_ROOT);
  writeFileSync(join(REPO_ROOT, 'docs/results.md'), renderResults(inputs));
  const readmePath = join(REPO_ROOT, 'README.md');
  writeFileSync(readmePath, withHeadline(readFileSync(readmePath, 'utf8'), renderHeadline(inputs)));
  console.log('wrote docs/results.md and the figures block of README.md');
}
