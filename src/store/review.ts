/**
 * Compare reviewers: two or more reviewers' Labelwise JSONL exports of the same documents, their
 * agreement per label (src/io/agreement.ts), and their conflicts. Resolving puts the conflicts into
 * this browser's annotation session with every reviewer's decision attached (AnnotatedDoc.review);
 * the resolver then works in the annotation view and the export carries both the decisions and
 * the resolution. Blinding: reviewers' decisions enter a session only through this comparison,
 * so a reviewer screening in their own session never sees another's.
 */

import { create } from 'zustand';
import { errorMessage } from '../core/errors';
import {
  type AgreementReport,
  conflicts,
  type GroupAgreement,
  groupAgreement,
  isSingleLabel,
  labelsUsed,
  type PairAgreement,
  pairAgreement,
} from '../io/agreement';
import type { LabelwiseDocument } from '../io/document';
import { annotationFromImport, type ReviewerDecision } from '../io/export';
import { describeIssue } from '../io/issues';
import { type ImportOutcome, type IncomingDoc, importDocs, useAnnotation } from './annotation';
import { parseInWorker } from './annotationImport';
import { fromImportedRecord } from './annotationRecords';

export interface Reviewer {
  name: string;
  file: string;
  /** Reviewed documents (accepted or corrected) by id. */
  decisions: Map<string, string[]>;
}

export interface Conflict {
  id: string;
  title?: string;
  decisions: ReviewerDecision[];
}

export interface ReviewState {
  reviewers: Reviewer[];
  /** Cohen per label, for exactly two reviewers. */
  pair: AgreementReport<PairAgreement> | null;
  /** Fleiss per label, for three or more. */
  group: AgreementReport<GroupAgreement> | null;
  conflicts: Conflict[];
  /** Problems with the files (bad lines, files without reviewed documents). */
  problems: string[];
  busy: boolean;
  resolved: ImportOutcome | null;
}

const REVIEWED = new Set(['accepted', 'corrected']);

export const useReview = create<ReviewState>(() => ({
  reviewers: [],
  pair: null,
  group: null,
  conflicts: [],
  problems: [],
  busy: false,
  resolved: null,
}));

/** The documents themselves (text, title, source fields), first export first: what a resolution imports. */
let records = new Map<string, LabelwiseDocument>();

/** The reviewer's name is the annotator their export records; the file name when it records none. */
function reviewerName(documents: LabelwiseDocument[], file: string, taken: Set<string>): string {
  const named = documents.map((document) => annotationFromImport(document)?.annotator).find((name) => name);
  let name = named ?? file;
  for (let n = 2; taken.has(name); n++) name = `${named ?? file} (${n})`;
  taken.add(name);
  return name;
}

/** Reads the exports (in the import worker) and computes agreement and conflicts. */
export async function compareExports(files: File[]): Promise<void> {
  useReview.setState({ busy: true, resolved: null });
  const reviewers: Reviewer[] = [];
  const problems: string[] = [];
  const taken = new Set<string>();
  records = new Map();
  try {
    for (const file of files) {
      const report = await parseInWorker({ file, options: { format: 'jsonl', dedupe: true } }, () => {});
      if (report.fatal) {
        problems.push(`${file.name}: ${report.fatal}`);
        continue;
      }
      for (const issue of report.issues) problems.push(describeIssue(issue, file.name));
      const decisions = new Map<string, string[]>();
      for (const document of report.documents) {
        const annotation = annotationFromImport(document);
        if (!annotation || !REVIEWED.has(annotation.status)) continue;
        decisions.set(document.id, annotation.labels);
        if (!records.has(document.id)) records.set(document.id, document);
      }
      if (decisions.size === 0)
        problems.push(`${file.name}: no reviewed document (status accepted or corrected): is it a Labelwise export?`);
      reviewers.push({ name: reviewerName(report.documents, file.name, taken), file: file.name, decisions });
    }
    const decisions = reviewers.map((reviewer) => reviewer.decisions);
    const labels = labelsUsed(decisions);
    const singleLabel = useAnnotation.getState().settings.task === 'single_label' || isSingleLabel(decisions);
    const conflictIds = decisions.length >= 2 ? conflicts(decisions) : [];
    useReview.setState({
      reviewers,
      pair:
        decisions.length === 2
          ? pairAgreement(decisions[0] as Reviewer['decisions'], decisions[1] as Reviewer['decisions'], labels, singleLabel)
          : null,
      group: decisions.length >= 3 ? groupAgreement(decisions, labels, singleLabel) : null,
      conflicts: conflictIds.map((id) => ({
        id,
        title: records.get(id)?.title,
        decisions: reviewers.map((reviewer) => ({ annotator: reviewer.name, labels: reviewer.decisions.get(id) ?? [] })),
      })),
      problems,
      busy: false,
    });
  } catch (error) {
    useReview.setState({ problems: [...problems, errorMessage(error)], busy: false });
  }
}

/**
 * Puts the conflicts into the annotation session, each starting from the labels every reviewer
 * gave, with each reviewer's decision attached; documents already in the session are left as they are.
 */
export async function resolveConflicts(): Promise<void> {
  const { conflicts: queue } = useReview.getState();
  const incoming: IncomingDoc[] = [];
  for (const conflict of queue) {
    const record = records.get(conflict.id);
    if (!record) continue;
    const { labels: _labels, status: _status, annotator: _annotator, note: _note, review: _review, ...document } = record;
    const agreed = conflict.decisions
      .map((decision) => decision.labels)
      .reduce((common, labels) => common.filter((label) => labels.includes(label)));
    // No status: the agreed labels count as a human decision, which a model's prediction must not replace.
    incoming.push({ ...fromImportedRecord(document), labels: agreed, review: { decisions: conflict.decisions } });
  }
  useReview.setState({ busy: true });
  try {
    useReview.setState({ resolved: await importDocs(incoming), busy: false });
  } catch (error) {
    useReview.setState({ problems: [errorMessage(error)], busy: false });
  }
}
