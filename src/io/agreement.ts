/**
 * Agreement between reviewers who screened the same documents (pure; shared by `labelwise agree`
 * and the page's reviewer comparison).
 *
 * Per label, each reviewer's decision is binary (label given or not); for a single-label scheme
 * the whole decision is also one categorical rating (the label, or none), reported as label "*".
 * Two reviewers: percent agreement and Cohen's kappa with a 95% confidence interval from the
 * large-sample standard error of Fleiss, Cohen & Everitt (1969), which does not assume kappa = 0;
 * three or more: Fleiss' kappa (1971) and the mean pairwise agreement.
 * Kappa is null where it is undefined (chance agreement 1: every rating in one category).
 */

/** One reviewer: their decision (the labels given) per document id. */
export type ReviewerDecisions = ReadonlyMap<string, readonly string[]>;

export const WHOLE_DECISION = '*';
/** The category of a single-label decision without a label. */
const NO_LABEL = '';

export interface PairAgreement {
  agreement: number;
  kappa: number | null;
  kappa_ci: [number, number] | null;
  /** Documents both reviewers gave the label, only the first, only the second, neither (for "*": agree/disagree counts in both/only_a). */
  both: number;
  only_a: number;
  only_b: number;
  neither: number;
}

export interface GroupAgreement {
  /** Mean over documents of the share of reviewer pairs that agree (Fleiss' P̄). */
  agreement: number;
  fleiss_kappa: number | null;
  /** Documents on which the reviewers were not unanimous. */
  disagreements: number;
}

export interface AgreementReport<T> {
  documents: number;
  labels: Record<string, T>;
}

const Z_95 = 1.959963984540054;

/**
 * Cohen's kappa over paired categorical ratings, with the Fleiss–Cohen–Everitt standard error:
 * Var = [Σᵢ pᵢᵢ(1 − (pᵢ. + p.ᵢ)(1 − κ))² + (1 − κ)² Σᵢ≠ⱼ pᵢⱼ(p.ᵢ + pⱼ.)² − (κ − pₑ(1 − κ))²] / (n(1 − pₑ)²).
 */
export function cohenKappa(pairs: readonly (readonly [string, string])[]): {
  agreement: number;
  kappa: number | null;
  kappa_ci: [number, number] | null;
} {
  const n = pairs.length;
  if (n === 0) return { agreement: Number.NaN, kappa: null, kappa_ci: null };
  const cell = new Map<string, number>();
  const rowShare = new Map<string, number>();
  const columnShare = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1 / n);
  for (const [a, b] of pairs) {
    add(cell, JSON.stringify([a, b]));
    add(rowShare, a);
    add(columnShare, b);
  }
  const categories = [...new Set([...rowShare.keys(), ...columnShare.keys()])];
  const row = (category: string) => rowShare.get(category) ?? 0;
  const column = (category: string) => columnShare.get(category) ?? 0;
  const p = (a: string, b: string) => cell.get(JSON.stringify([a, b])) ?? 0;
  const observed = categories.reduce((sum, category) => sum + p(category, category), 0);
  const chance = categories.reduce((sum, category) => sum + row(category) * column(category), 0);
  if (1 - chance < 1e-12) return { agreement: observed, kappa: null, kappa_ci: null };
  const kappa = (observed - chance) / (1 - chance);
  let variance = 0;
  for (const i of categories) {
    variance += p(i, i) * (1 - (row(i) + column(i)) * (1 - kappa)) ** 2;
    for (const j of categories) if (i !== j) variance += (1 - kappa) ** 2 * p(i, j) * (column(i) + row(j)) ** 2;
  }
  variance = (variance - (kappa - chance * (1 - kappa)) ** 2) / (n * (1 - chance) ** 2);
  const margin = Z_95 * Math.sqrt(Math.max(variance, 0));
  return { agreement: observed, kappa, kappa_ci: [Math.max(-1, kappa - margin), Math.min(1, kappa + margin)] };
}

/** Fleiss' kappa: every document rated by the same number (≥ 2) of raters; each row is one document's ratings. */
export function fleissKappa(ratings: readonly (readonly string[])[]): GroupAgreement {
  const raters = ratings[0]?.length ?? 0;
  if (ratings.length === 0 || raters < 2) return { agreement: Number.NaN, fleiss_kappa: null, disagreements: 0 };
  const totals = new Map<string, number>();
  let meanAgreement = 0;
  let disagreements = 0;
  for (const row of ratings) {
    if (row.length !== raters) throw new Error(`every document needs ${raters} ratings, one has ${row.length}`);
    const counts = new Map<string, number>();
    for (const rating of row) counts.set(rating, (counts.get(rating) ?? 0) + 1);
    let agreeingPairs = 0;
    for (const [category, count] of counts) {
      agreeingPairs += count * (count - 1);
      totals.set(category, (totals.get(category) ?? 0) + count);
    }
    meanAgreement += agreeingPairs / (raters * (raters - 1)) / ratings.length;
    if (counts.size > 1) disagreements++;
  }
  const chance = [...totals.values()].reduce((sum, count) => sum + (count / (ratings.length * raters)) ** 2, 0);
  const fleiss_kappa = 1 - chance < 1e-12 ? null : (meanAgreement - chance) / (1 - chance);
  return { agreement: meanAgreement, fleiss_kappa, disagreements };
}

/** Ids every reviewer decided, in the first reviewer's order. */
export function sharedDocuments(reviewers: readonly ReviewerDecisions[]): string[] {
  const [first, ...rest] = reviewers;
  return [...(first?.keys() ?? [])].filter((id) => rest.every((reviewer) => reviewer.has(id)));
}

/** Every label any reviewer gave, sorted. */
export function labelsUsed(reviewers: readonly ReviewerDecisions[]): string[] {
  const labels = new Set<string>();
  for (const reviewer of reviewers) for (const decision of reviewer.values()) for (const label of decision) labels.add(label);
  return [...labels].sort();
}

/** A single-label scheme: no decision of any reviewer carries more than one label. */
export function isSingleLabel(reviewers: readonly ReviewerDecisions[]): boolean {
  return reviewers.every((reviewer) => [...reviewer.values()].every((decision) => decision.length <= 1));
}

/** Cohen's kappa per label between two reviewers over the documents both decided (plus "*" for a single-label scheme). */
export function pairAgreement(
  a: ReviewerDecisions,
  b: ReviewerDecisions,
  labels: readonly string[] = labelsUsed([a, b]),
  singleLabel = isSingleLabel([a, b]),
): AgreementReport<PairAgreement> {
  const ids = sharedDocuments([a, b]);
  const decisions = ids.map((id) => [a.get(id) ?? [], b.get(id) ?? []] as const);
  const report: AgreementReport<PairAgreement> = { documents: ids.length, labels: {} };
  for (const label of labels) {
    const counts = { both: 0, only_a: 0, only_b: 0, neither: 0 };
    const pairs = decisions.map(([first, second]) => {
      const [inA, inB] = [first.includes(label), second.includes(label)];
      counts[inA ? (inB ? 'both' : 'only_a') : inB ? 'only_b' : 'neither']++;
      return [String(inA), String(inB)] as const;
    });
    report.labels[label] = { ...cohenKappa(pairs), ...counts };
  }
  if (singleLabel) {
    const pairs = decisions.map(([first, second]) => [first[0] ?? NO_LABEL, second[0] ?? NO_LABEL] as const);
    const agreeing = pairs.filter(([first, second]) => first === second);
    // Over the whole decision: "both" = same category (a label or none), "only_a"/"only_b" = the documents where
    // that reviewer gave a label the other did not give, "neither" = both gave no label.
    report.labels[WHOLE_DECISION] = {
      ...cohenKappa(pairs),
      both: agreeing.filter(([first]) => first !== NO_LABEL).length,
      only_a: pairs.filter(([first, second]) => first !== second && first !== NO_LABEL).length,
      only_b: pairs.filter(([first, second]) => first !== second && second !== NO_LABEL).length,
      neither: agreeing.filter(([first]) => first === NO_LABEL).length,
    };
  }
  return report;
}

/** Fleiss' kappa per label over the documents every reviewer decided (plus "*" for a single-label scheme). */
export function groupAgreement(
  reviewers: readonly ReviewerDecisions[],
  labels: readonly string[] = labelsUsed(reviewers),
  singleLabel = isSingleLabel(reviewers),
): AgreementReport<GroupAgreement> {
  const ids = sharedDocuments(reviewers);
  const decisions = ids.map((id) => reviewers.map((reviewer) => reviewer.get(id) ?? []));
  const report: AgreementReport<GroupAgreement> = { documents: ids.length, labels: {} };
  for (const label of labels)
    report.labels[label] = fleissKappa(decisions.map((row) => row.map((decision) => String(decision.includes(label)))));
  if (singleLabel) report.labels[WHOLE_DECISION] = fleissKappa(decisions.map((row) => row.map((decision) => decision[0] ?? NO_LABEL)));
  return report;
}

/** Documents on which the reviewers' decisions differ (as label sets), in the first reviewer's order. */
export function conflicts(reviewers: readonly ReviewerDecisions[]): string[] {
  const key = (decision: readonly string[]) => JSON.stringify([...decision].sort());
  return sharedDocuments(reviewers).filter((id) => new Set(reviewers.map((reviewer) => key(reviewer.get(id) ?? []))).size > 1);
}
