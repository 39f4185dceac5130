/** Splits streamed text into lines (\n, \r\n or \r), numbering them from 1, across chunk boundaries. */
export class LineSplitter {
  private rest = '';
  private lineNumber = 0;
  private pendingCarriageReturn = false;

  /** Calls `onLine` for every line completed by `text`. */
  push(text: string, onLine: (line: string, lineNumber: number) => void): void {
    let start = 0;
    if (this.pendingCarriageReturn && text.startsWith('\n')) start = 1;
    this.pendingCarriageReturn = false;
    const length = text.length;
    const hasCarriageReturn = text.includes('\r');
    while (start <= length) {
      // Fast path for \n-only text; \r needs the character loop.
      const end = hasCarriageReturn ? nextBreak(text, start) : text.indexOf('\n', start);
      if (end === -1) break;
      const line = this.rest + text.slice(start, end);
      this.rest = '';
      onLine(line, ++this.lineNumber);
      start = end + 1;
      if (text.charCodeAt(end) === 13) {
        if (start === length) this.pendingCarriageReturn = true;
        else if (text.charCodeAt(start) === 10) start++;
      }
    }
    this.rest += text.slice(start);
  }

  /** Flushes a last line that has no line break. */
  finish(onLine: (line: string, lineNumber: number) => void): void {
    if (this.rest.length > 0) onLine(this.rest, ++this.lineNumber);
    this.rest = '';
  }
}

function nextBreak(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || code === 13) return i;
  }
  return -1;
}
