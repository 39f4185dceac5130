/**
 * A small streaming XML tokenizer: enough for PubMed's files (elements, attributes, text, the
 * predefined and numeric entities, CDATA, comments, processing instructions, DOCTYPE). It never
 * throws on malformed input: it reports an error with the line and carries on, so one broken
 * article does not cost the rest of the file. Text arrives already decoded from entities.
 */

export interface XmlHandler {
  open(name: string, attributes: Record<string, string>, line: number): void;
  close(name: string, line: number): void;
  text(text: string): void;
  error(message: string, line: number): void;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_:][-\w.:]*/;
const NAME_START = /[A-Za-z_:]/;
const ATTRIBUTE = /([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
/** A construct (tag, comment...) longer than this without its end is reported rather than buffered forever. */
const MAX_CONSTRUCT = 1 << 20;

export class XmlTokenizer {
  private buffer = '';
  private line = 1;

  constructor(private readonly handler: XmlHandler) {}

  push(text: string): void {
    this.buffer += text;
    this.drain(false);
  }

  finish(): void {
    this.drain(true);
  }

  private drain(atEnd: boolean): void {
    const buffer = this.buffer;
    let position = 0;
    while (position < buffer.length) {
      const lt = buffer.indexOf('<', position);
      if (lt !== position) {
        let end = lt === -1 ? buffer.length : lt;
        // Keep a possibly split entity reference for the next chunk.
        if (lt === -1 && !atEnd) {
          const amp = buffer.lastIndexOf('&', end);
          if (amp >= position && buffer.indexOf(';', amp) === -1 && end - amp < 12) end = amp;
        }
        if (end > position) this.emitText(buffer.slice(position, end));
        position = end;
        if (lt === -1) break;
        continue;
      }
      const consumed = this.construct(buffer, lt, atEnd);
      if (consumed === 0) break;
      position = consumed;
    }
    this.buffer = buffer.slice(position);
    if (atEnd && this.buffer !== '') {
      this.handler.error(`file ends inside markup: ${JSON.stringify(this.buffer.slice(0, 40))}`, this.line);
      this.buffer = '';
    }
  }

  /** Handles the markup at `start` ('<'); returns the position after it, or 0 to wait for more text. */
  private construct(buffer: string, start: number, atEnd: boolean): number {
    const next = buffer[start + 1];
    if (next === '!' || next === '?') return this.declaration(buffer, start, atEnd);
    if (next === undefined && !atEnd) return 0;
    if (next === undefined || (next !== '/' && !NAME_START.test(next))) {
      // A bare "<" in text (e.g. "p < 0.05" not escaped): keep it as text.
      this.handler.error('"<" that does not start a tag (should be written &lt;)', this.line);
      this.emitRaw('<');
      return start + 1;
    }
    const end = this.tagEnd(buffer, start);
    if (end === -1) {
      if (!atEnd && buffer.length - start < MAX_CONSTRUCT) return 0;
      this.handler.error('tag is never closed with ">"', this.line);
      this.emitRaw(buffer.slice(start));
      return buffer.length;
    }
    if (end < -1) {
      const nextTag = -2 - end;
      this.handler.error('tag is not closed with ">" before the next "<"', this.line);
      this.emitRaw(buffer.slice(start, nextTag));
      return nextTag;
    }
    const tag = buffer.slice(start + 1, end - 1);
    const line = this.line;
    this.countLines(tag);
    if (tag.startsWith('/')) {
      const name = NAME.exec(tag.slice(1))?.[0];
      if (name === undefined || tag.slice(1 + name.length).trim() !== '') {
        this.handler.error(`malformed end tag <${tag}>`, line);
      } else this.handler.close(name, line);
      return end;
    }
    const name = (NAME.exec(tag) as RegExpExecArray)[0];
    const selfClosing = tag.endsWith('/');
    const attributes: Record<string, string> = {};
    const rest = tag.slice(name.length, selfClosing ? -1 : undefined);
    for (const match of rest.matchAll(ATTRIBUTE)) {
      attributes[match[1] as string] = decodeEntities(match[2] ?? match[3] ?? '');
    }
    this.handler.open(name, attributes, line);
    if (selfClosing) this.handler.close(name, line);
    return end;
  }

  /** Comments, CDATA, processing instructions and DOCTYPE. */
  private declaration(buffer: string, start: number, atEnd: boolean): number {
    const until = (terminator: string, from: number): number => {
      const index = buffer.indexOf(terminator, from);
      if (index !== -1) return index + terminator.length;
      return !atEnd && buffer.length - start < MAX_CONSTRUCT ? 0 : -1;
    };
    if (buffer.startsWith('<!--', start)) return this.skip(buffer, start, until('-->', start + 4), 'comment');
    if (buffer.startsWith('<![CDATA[', start)) {
      const end = until(']]>', start + 9);
      if (end <= 0) return this.skip(buffer, start, end, 'CDATA section');
      this.emitRaw(buffer.slice(start + 9, end - 3));
      return end;
    }
    if (buffer.startsWith('<?', start)) return this.skip(buffer, start, until('?>', start + 2), 'processing instruction');
    // Too short yet to tell "<![CDATA[" from "<!DOCTYPE".
    if (!atEnd && buffer.length - start < 9 && '<![CDATA['.startsWith(buffer.slice(start, start + 9))) return 0;
    return this.skip(buffer, start, this.declarationEnd(buffer, start, atEnd), 'declaration');
  }

  /** End of a tag, ignoring ">" inside quoted attribute values; -1 if not in the buffer yet. */
  private tagEnd(buffer: string, start: number): number {
    let quote = '';
    for (let i = start + 1; i < buffer.length; i++) {
      const char = buffer[i];
      if (quote) {
        if (char === quote) quote = '';
      } else if (char === '"' || char === "'") quote = char;
      else if (char === '>') return i + 1;
      else if (char === '<') return -2 - i;
    }
    return -1;
  }

  /** End of a <!DOCTYPE ...> (with an optional [internal subset]). */
  private declarationEnd(buffer: string, start: number, atEnd: boolean): number {
    let depth = 0;
    for (let i = start + 2; i < buffer.length; i++) {
      const char = buffer[i];
      if (char === '[') depth++;
      else if (char === ']') depth--;
      else if (char === '>' && depth <= 0) return i + 1;
    }
    return atEnd || buffer.length - start >= MAX_CONSTRUCT ? -1 : 0;
  }

  private skip(buffer: string, start: number, end: number, what: string): number {
    if (end === 0) return 0;
    if (end === -1) {
      this.handler.error(`${what} is never closed`, this.line);
      return buffer.length;
    }
    this.countLines(buffer.slice(start, end));
    return end;
  }

  private emitText(raw: string): void {
    this.handler.text(decodeEntities(raw));
    this.countLines(raw);
  }

  private emitRaw(text: string): void {
    this.handler.text(text);
    this.countLines(text);
  }

  private countLines(text: string): void {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.line++;
  }
}

/** Decodes &amp; &lt; &gt; &quot; &apos; and numeric references; unknown references stay as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[body] ?? whole;
  });
}
