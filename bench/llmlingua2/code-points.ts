const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The code-point offset of every UTF-16 offset 0..text.length of `text`, as Python indexes the
 * same string: the LLMLingua-2 label files store code-point spans (make-labels.ts writes them
 * from ctxpress' UTF-16 spans, token-labels.ts reads them back against its own), so both sides
 * must count alike. A surrogate pair is one code point (both halves map to it); a lone surrogate,
 * which Python keeps as a code point of its own, is one too.
 */
export function codePointOffsets(text: string): Uint32Array {
  const out = new Uint32Array(text.length + 1);
  let points = 0;
  for (let i = 0; i < text.length; i++) {
    if (isLowSurrogate(text.charCodeAt(i)) && i > 0 && isHighSurrogate(text.charCodeAt(i - 1))) {
      out[i] = points - 1;
      continue;
    }
    out[i] = points;
    points++;
  }
  out[text.length] = points;
  return out;
}
