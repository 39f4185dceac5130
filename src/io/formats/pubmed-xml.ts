/**
 * PubMed XML (PubmedArticleSet, as PubMed's "Save → XML" and E-utilities efetch write it):
 * PubmedArticle and PubmedBookArticle records. Structured abstracts become one "LABEL: text"
 * paragraph per AbstractText, joined with line breaks; inline markup (<i>, <sub>, MathML...)
 * is kept as its text content.
 */
import type { RecordPosition } from '../issues';
import { normalizeSpace, type ParsedRecord, pubmedRecord, type RecordParser, type WithoutAbstract } from './parser';
import { type XmlHandler, XmlTokenizer } from './xml-tokenizer';

const RECORD_ELEMENTS = new Set(['PubmedArticle', 'PubmedBookArticle']);
/** Paths inside a record (below its root element) whose text we collect. */
const CAPTURED: Record<string, 'pmid' | 'title' | 'bookTitle' | 'abstract'> = {
  'MedlineCitation/PMID': 'pmid',
  'MedlineCitation/Article/ArticleTitle': 'title',
  'MedlineCitation/Article/Abstract/AbstractText': 'abstract',
  'BookDocument/PMID': 'pmid',
  'BookDocument/ArticleTitle': 'title',
  'BookDocument/Book/BookTitle': 'bookTitle',
  'BookDocument/Abstract/AbstractText': 'abstract',
};
const ROOTS = new Set(['PubmedArticleSet', 'PubmedBookArticleSet', 'eFetchResult', ...RECORD_ELEMENTS]);

interface OpenRecord {
  element: string;
  index: number;
  line: number;
  path: string;
  pmid?: string;
  title?: string;
  bookTitle?: string;
  paragraphs: string[];
  error?: { message: string; line: number };
}

interface Capture {
  field: 'pmid' | 'title' | 'bookTitle' | 'abstract' | 'efetchError';
  depth: number;
  label?: string;
  line: number;
  parts: string[];
}

export function createPubmedXmlParser(withoutAbstract: WithoutAbstract): RecordParser {
  let out: ParsedRecord[] = [];
  const stack: string[] = [];
  /** Per depth: how many children of each name were seen, for element paths like PubmedArticle[3]. */
  const childCounts: Map<string, number>[] = [new Map()];
  const pathParts: string[] = [];
  let record: OpenRecord | undefined;
  let recordDepth = 0;
  let recordIndex = 0;
  let capture: Capture | undefined;
  let root: string | undefined;

  const position = (line: number): RecordPosition =>
    record ? { line, record: record.index, path: pathParts.join('/') } : { line, path: pathParts.join('/') || undefined };

  const fail = (message: string, line: number) => {
    if (record) record.error ??= { message, line };
    else out.push({ kind: 'error', message, position: position(line) });
  };

  const finishRecord = () => {
    const done = record as OpenRecord;
    record = undefined;
    const where: RecordPosition = { line: done.line, record: done.index, path: done.path };
    if (done.error) {
      out.push({ kind: 'error', message: done.error.message, position: { ...where, line: done.error.line } });
      return;
    }
    const title = done.title || done.bookTitle || '';
    out.push(pubmedRecord(done.pmid, title, done.paragraphs.join('\n'), where, withoutAbstract));
  };

  const endCapture = () => {
    const { field, label, line, parts } = capture as Capture;
    capture = undefined;
    const text = normalizeSpace(parts.join(''));
    if (field === 'efetchError') return out.push({ kind: 'error', message: `E-utilities: ${text}`, position: position(line) });
    if (!record) return;
    if (field === 'abstract') {
      if (text === '') return;
      const prefix = label && label.toUpperCase() !== 'UNLABELLED' ? `${label}: ` : '';
      record.paragraphs.push(prefix + text);
    } else if (record[field] === undefined) record[field] = text;
  };

  const closeElement = () => {
    const name = stack.pop() as string;
    childCounts.pop();
    pathParts.pop();
    if (capture && capture.depth === stack.length) endCapture();
    if (record && stack.length === recordDepth) finishRecord();
    return name;
  };

  const handler: XmlHandler = {
    open(name, attributes, line) {
      if (stack.length === 0) {
        if (root !== undefined) fail(`a second root element <${name}>`, line);
        root ??= name;
        if (!ROOTS.has(name)) fail(`not a PubMed XML file: the root element is <${name}>, expected <PubmedArticleSet>`, line);
      }
      const siblings = childCounts[childCounts.length - 1] as Map<string, number>;
      const nth = (siblings.get(name) ?? 0) + 1;
      siblings.set(name, nth);
      stack.push(name);
      childCounts.push(new Map());
      pathParts.push(nth > 1 || RECORD_ELEMENTS.has(name) ? `${name}[${nth}]` : name);
      if (record === undefined && RECORD_ELEMENTS.has(name)) {
        recordIndex++;
        recordDepth = stack.length - 1;
        record = { element: name, index: recordIndex, line, path: pathParts.join('/'), paragraphs: [] };
        return;
      }
      if (capture) return;
      if (record) {
        const field = CAPTURED[stack.slice(recordDepth + 1).join('/')];
        if (field) capture = { field, depth: stack.length - 1, label: attributes.Label, line, parts: [] };
      } else if (name === 'ERROR') capture = { field: 'efetchError', depth: stack.length - 1, line, parts: [] };
    },
    close(name, line) {
      if (stack[stack.length - 1] === name) {
        closeElement();
        return;
      }
      if (!stack.includes(name)) {
        fail(`end tag </${name}> has no matching start tag`, line);
        return;
      }
      // Recover by closing the elements left open, the way a forgiving reader would.
      fail(`<${stack[stack.length - 1]}> is not closed before </${name}>`, line);
      while (closeElement() !== name);
    },
    text(text) {
      if (capture) capture.parts.push(text);
    },
    error(message, line) {
      fail(message, line);
    },
  };

  const tokenizer = new XmlTokenizer(handler);
  const take = () => {
    const records = out;
    out = [];
    return records;
  };

  return {
    push(text) {
      tokenizer.push(text);
      return take();
    },
    finish() {
      tokenizer.finish();
      if (record) {
        const open = record;
        open.error = {
          message: `the file ends inside <${open.element}> (opened on line ${open.line}): truncated or not closed`,
          line: open.line,
        };
        finishRecord();
      }
      if (root === undefined) out.push({ kind: 'error', message: 'no XML element found', position: {} });
      return take();
    },
  };
}
