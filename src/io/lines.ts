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
    // The next \r and \n at or after `start`, each searched again only once passed (CRLF text stays linear).
    let carriageReturn = text.indexOf('\r', start);
    let lineFeed = text.indexOf('\n', start);
    while (start <= length) {
      if (carriageReturn !== -1 && carriageReturn < start) carriageReturn = text.indexOf('\r', start);
      if (lineFeed !== -1 && lineFeed < start) lineFeed = text.indexOf('\n', start);
      const end = carriageReturn === -1 ? lineFeed : lineFeed === -1 ? carriageReturn : Math.min(carriageReturn, lineFeed);
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
