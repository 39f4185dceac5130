// Over 300 lines: BERT's normaliser and pre-tokeniser with offsets are one alignment algorithm (as in the Rust crate), kept in one file.
/**
 * BERT WordPiece tokenization with character offsets into the original text.
 *
 * @huggingface/tokenizers gives ids but no offsets, so the normalizer (BertNormalizer) and the
 * pre-tokenizer (BertPreTokenizer) are re-done here character by character, keeping for every
 * normalized character the span of the original character it came from, exactly as the Rust
 * `tokenizers` crate aligns them. Each pre-tokenized word then goes through the library's
 * WordPiece model, and its pieces take their offsets from the aligned characters.
 * Offsets are UTF-16 code unit indices (what String.prototype.slice takes).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelFolderError } from './manifest';

export interface Encoding {
  /** Token ids without [CLS]/[SEP]. */
  ids: number[];
  /** Start (inclusive) of each token in the original text. */
  starts: number[];
  /** End (exclusive) of each token in the original text. */
  ends: number[];
  /** Index of the pre-tokenized word each token comes from; word pieces of one word share it. */
  words: number[];
}

interface NormalizerConfig {
  cleanText: boolean;
  handleChineseChars: boolean;
  stripAccents: boolean;
  lowercase: boolean;
}

/** A word's pieces: ids and lengths in normalized code points (null = the whole word is [UNK]). */
type Pieces = { ids: number[]; lengths: number[] } | null;

const CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}]/u;
const WHITESPACE = /\p{White_Space}/u;
const PUNCTUATION = /[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]/u;
const NONSPACING_MARK = /\p{Mn}/u;

const WORD_CHAR = 0;
const WHITESPACE_CHAR = 1;
const PUNCTUATION_CHAR = 2;

/** How the pre-tokenizer treats a normalized character. */
function charKind(char: string): number {
  const code = char.charCodeAt(0);
  if (code < 128) {
    if (code === 32 || (code >= 9 && code <= 13)) return WHITESPACE_CHAR;
    if ((code >= 33 && code <= 47) || (code >= 58 && code <= 64) || (code >= 91 && code <= 96) || (code >= 123 && code <= 126)) {
      return PUNCTUATION_CHAR;
    }
    return WORD_CHAR;
  }
  if (WHITESPACE.test(char)) return WHITESPACE_CHAR;
  return PUNCTUATION.test(char) ? PUNCTUATION_CHAR : WORD_CHAR;
}

/** Lowercases one code point at a time, as Rust's char::to_lowercase (no final-sigma rule). */
function lowercaseByCodePoint(text: string): string {
  let lower = '';
  for (const char of text) lower += char.toLowerCase();
  return lower;
}

/** The CJK ideograph blocks the BERT normalizer pads with spaces. */
function isChineseChar(codePoint: number): boolean {
  return (
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x20000 && codePoint <= 0x2a6df) ||
    (codePoint >= 0x2a700 && codePoint <= 0x2b73f) ||
    (codePoint >= 0x2b740 && codePoint <= 0x2b81f) ||
    (codePoint >= 0x2b920 && codePoint <= 0x2ceaf) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0x2f800 && codePoint <= 0x2fa1f)
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class WordPieceTokenizer {
  readonly clsId: number;
  readonly sepId: number;
  private readonly library: Tokenizer;
  private readonly normalizer: NormalizerConfig;
  private readonly unkId: number;
  private readonly continuingPrefix: string;
  /** Added tokens (e.g. "[SEP]") are matched in the raw text before normalization, as in `tokenizers`. */
  private readonly addedTokens: RegExp | null;
  private readonly addedTokenIds = new Map<string, number>();
  private readonly piecesCache = new Map<string, Pieces>();
  /** normalizeChar for the 128 ASCII characters, the bulk of biomedical abstracts. */
  private readonly asciiTable: string[];

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown) {
    const files = { tokenizer: 'tokenizer.json', config: 'tokenizer_config.json' };
    const fail = (file: string, field: string | undefined, detail: string): never => {
      throw new ModelFolderError(file, field, detail);
    };
    if (!isObject(tokenizerJson)) fail(files.tokenizer, undefined, 'expected a JSON object');
    if (!isObject(tokenizerConfig)) fail(files.config, undefined, 'expected a JSON object');
    const json = tokenizerJson as Record<string, unknown>;
    const config = tokenizerConfig as Record<string, unknown>;

    const model = json.model;
    if (!isObject(model) || model.type !== 'WordPiece') fail(files.tokenizer, 'model.type', 'expected "WordPiece"');
    const normalizer = json.normalizer;
    if (!isObject(normalizer) || normalizer.type !== 'BertNormalizer') {
      fail(files.tokenizer, 'normalizer.type', 'expected "BertNormalizer"');
    }
    const preTokenizer = json.pre_tokenizer;
    if (!isObject(preTokenizer) || preTokenizer.type !== 'BertPreTokenizer') {
      fail(files.tokenizer, 'pre_tokenizer.type', 'expected "BertPreTokenizer"');
    }
    const normalizerJson = normalizer as Record<string, unknown>;
    const lowercase = normalizerJson.lowercase === true;
    this.normalizer = {
      cleanText: normalizerJson.clean_text !== false,
      handleChineseChars: normalizerJson.handle_chinese_chars !== false,
      // `tokenizers` strips accents when strip_accents is null and lowercase is on.
      stripAccents: typeof normalizerJson.strip_accents === 'boolean' ? normalizerJson.strip_accents : lowercase,
      lowercase,
    };
    this.asciiTable = Array.from({ length: 128 }, (_, code) => this.normalizeChar(String.fromCharCode(code), code));
    this.continuingPrefix = String((model as Record<string, unknown>).continuing_subword_prefix ?? '##');

    // Truncation and padding are the caller's business (windows), never the tokenizer's.
    this.library = new Tokenizer({ ...json, truncation: null, padding: null }, config);

    const idOf = (field: string, fallback: string): number => {
      const token = typeof config[field] === 'string' ? (config[field] as string) : fallback;
      const id = this.library.token_to_id(token);
      if (id === undefined) fail(files.config, field, `token "${token}" is not in the vocabulary of ${files.tokenizer}`);
      return id as number;
    };
    this.clsId = idOf('cls_token', '[CLS]');
    this.sepId = idOf('sep_token', '[SEP]');
    this.unkId = idOf('unk_token', '[UNK]');

    const added = Array.isArray(json.added_tokens) ? json.added_tokens : [];
    for (const [index, token] of added.entries()) {
      const field = `added_tokens[${index}]`;
      if (!isObject(token) || typeof token.content !== 'string' || typeof token.id !== 'number') {
        fail(files.tokenizer, field, 'expected {id, content}');
      }
      const entry = token as Record<string, unknown>;
      if (entry.normalized === true || entry.lstrip === true || entry.rstrip === true || entry.single_word === true) {
        fail(files.tokenizer, field, 'normalized/lstrip/rstrip/single_word added tokens are not supported');
      }
      this.addedTokenIds.set(entry.content as string, entry.id as number);
    }
    const contents = [...this.addedTokenIds.keys()].sort((a, b) => b.length - a.length);
    this.addedTokens = contents.length > 0 ? new RegExp(contents.map(escapeRegExp).join('|'), 'g') : null;
  }

  /** Tokenizes the whole text (no truncation); add [CLS]/[SEP] per window. */
  encode(text: string): Encoding {
    const encoding: Encoding = { ids: [], starts: [], ends: [], words: [] };
    let wordCount = 0;
    const encodeSegmentAt = (text: string, offset: number) => {
      wordCount = this.encodeSegment(text, offset, encoding, wordCount);
    };
    let cursor = 0;
    if (this.addedTokens !== null) {
      for (const match of text.matchAll(this.addedTokens)) {
        encodeSegmentAt(text.slice(cursor, match.index), cursor);
        encoding.ids.push(this.addedTokenIds.get(match[0]) as number);
        encoding.starts.push(match.index);
        encoding.ends.push(match.index + match[0].length);
        encoding.words.push(wordCount++);
        cursor = match.index + match[0].length;
      }
    }
    encodeSegmentAt(text.slice(cursor), cursor);
    return encoding;
  }

  /** Ids from the library's own pipeline, for cross-checking the aligned one. */
  libraryIds(text: string): number[] {
    return this.library.encode(text, { add_special_tokens: false }).ids;
  }

  /** What the normalizer makes of one character ('' when it drops it), without the CJK padding. */
  private normalizeChar(char: string, codePoint: number): string {
    const { cleanText, stripAccents, lowercase } = this.normalizer;
    if (cleanText) {
      if (codePoint === 0 || codePoint === 0xfffd) return '';
      const tabOrNewline = codePoint === 9 || codePoint === 10 || codePoint === 13;
      if (!tabOrNewline && CONTROL.test(char)) return '';
      if (tabOrNewline || WHITESPACE.test(char)) return ' ';
    }
    let normalized = '';
    for (const part of stripAccents ? char.normalize('NFD') : char) {
      if (!(stripAccents && NONSPACING_MARK.test(part))) normalized += part;
    }
    return lowercase ? lowercaseByCodePoint(normalized) : normalized;
  }

  /**
   * Normalizes, pre-tokenizes and word-pieces one segment free of added tokens, in one pass;
   * returns the next word index. Whitespace separates words; each punctuation character is a word.
   */
  private encodeSegment(segment: string, offset: number, out: Encoding, firstWord: number): number {
    // The word being built and, per code point of it, the original span it comes from.
    let word = '';
    const starts: number[] = [];
    const ends: number[] = [];
    let wordIndex = firstWord;
    const flush = () => {
      if (word === '') return;
      this.encodeWord(word, starts, ends, wordIndex++, out);
      word = '';
      starts.length = 0;
      ends.length = 0;
    };
    const take = (char: string, start: number, end: number) => {
      const kind = charKind(char);
      if (kind === WORD_CHAR) {
        word += char;
        starts.push(start);
        ends.push(end);
        return;
      }
      flush();
      if (kind === PUNCTUATION_CHAR) {
        word = char;
        starts.push(start);
        ends.push(end);
        flush();
      }
    };
    for (let index = 0; index < segment.length; ) {
      const codePoint = segment.codePointAt(index) as number;
      const width = codePoint > 0xffff ? 2 : 1;
      const start = offset + index;
      const end = start + width;
      index += width;
      if (codePoint < 128) {
        const normalized = this.asciiTable[codePoint] as string;
        if (normalized !== '') take(normalized, start, end);
        continue;
      }
      const char = segment.slice(start - offset, end - offset);
      const normalized = this.normalizeChar(char, codePoint);
      if (this.normalizer.handleChineseChars && isChineseChar(codePoint)) {
        // Padded with spaces: always a word of its own.
        flush();
        for (const part of normalized) take(part, start, end);
        flush();
        continue;
      }
      for (const part of normalized) take(part, start, end);
    }
    flush();
    return wordIndex;
  }

  private encodeWord(word: string, starts: number[], ends: number[], wordIndex: number, out: Encoding) {
    const pieces = this.pieces(word);
    if (pieces === null) {
      out.ids.push(this.unkId);
      out.starts.push(starts[0] as number);
      out.ends.push(ends[ends.length - 1] as number);
      out.words.push(wordIndex);
      return;
    }
    let at = 0;
    for (const [index, id] of pieces.ids.entries()) {
      const length = pieces.lengths[index] as number;
      out.ids.push(id);
      out.starts.push(starts[at] as number);
      out.ends.push(ends[at + length - 1] as number);
      out.words.push(wordIndex);
      at += length;
    }
  }

  private pieces(word: string): Pieces {
    const cached = this.piecesCache.get(word);
    if (cached !== undefined) return cached;
    const model = this.library.model;
    if (model === null) throw new Error('tokenizer has no model');
    const tokens = model.encode([word]);
    let pieces: Pieces = { ids: [], lengths: [] };
    for (const [index, token] of tokens.entries()) {
      const id = this.library.token_to_id(token);
      if (id === undefined || id === this.unkId) {
        pieces = null;
        break;
      }
      const content = index > 0 && token.startsWith(this.continuingPrefix) ? token.slice(this.continuingPrefix.length) : token;
      pieces.ids.push(id);
      pieces.lengths.push([...content].length);
    }
    if (this.piecesCache.size > 100_000) this.piecesCache.clear();
    this.piecesCache.set(word, pieces);
    return pieces;
  }
}
