// Jupyter (protocol >= 5.2) counts cursor offsets in Unicode code points; TypeScript and JS strings
// count UTF-16 code units. These convert between the two for one text.

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The UTF-16 offset of the `codePoints`-th code point of `text` (clamped to the text). */
export function codePointToUtf16(text: string, codePoints: number): number {
  let offset = 0;
  for (let n = 0; n < codePoints && offset < text.length; n++) {
    offset += isHighSurrogate(text.charCodeAt(offset)) && isLowSurrogate(text.charCodeAt(offset + 1)) ? 2 : 1;
  }
  return offset;
}

/** The number of code points in `text` before the UTF-16 offset `utf16`. */
export function utf16ToCodePoint(text: string, utf16: number): number {
  let count = 0;
  const end = Math.min(utf16, text.length);
  for (let offset = 0; offset < end; offset++) {
    // The low half of a pair is not a code point of its own.
    if (!(isLowSurrogate(text.charCodeAt(offset)) && offset > 0 && isHighSurrogate(text.charCodeAt(offset - 1)))) count++;
  }
  return count;
}
