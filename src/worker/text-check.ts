/** Decides whether a text is worth classifying; binary data is refused with a reason instead of producing noise. */

/** Share of control or undecodable characters above which a text is treated as binary data. */
const binaryShareLimit = 0.1;

/** C0 controls except tab, line feed, vertical tab, form feed and carriage return; DEL; U+FFFD (undecodable bytes). */
function isBinaryCharacter(code: number): boolean {
  return code <= 0x08 || (code >= 0x0e && code <= 0x1f) || code === 0x7f || code === 0xfffd;
}

function countBinaryCharacters(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) if (isBinaryCharacter(text.charCodeAt(index))) count += 1;
  return count;
}

/** Returns why the text cannot be classified, or undefined when it can. */
export function reasonNotToClassify(text: string): string | undefined {
  if (text.trim().length === 0) return 'The text is empty.';
  const binaryCount = countBinaryCharacters(text);
  const share = binaryCount / text.length;
  if (share > binaryShareLimit) {
    const percent = Math.round(share * 100);
    return `This looks like binary data, not text (${percent}% control or undecodable characters). Paste plain text.`;
  }
  return undefined;
}
