/**
 * Which characters a document may hold. Text is Unicode text: NUL and the other C0/C1 control
 * characters (save tab, newline, vertical tab, form feed and carriage return), U+FFFE/U+FFFF and
 * unpaired surrogates mean binary data or a broken decode, which no tokenizer handles sanely.
 */

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** What is wrong with one UTF-16 code unit seen on its own, if anything. */
function badCodeUnit(code: number): string | null {
  const whitespaceControl = code >= 0x09 && code <= 0x0d;
  if ((code < 0x20 && !whitespaceControl) || (code >= 0x7f && code <= 0x9f)) {
    return "the control character";
  }
  if (code === 0xfffe || code === 0xffff) return "the non-character";
  if (isLowSurrogate(code)) return "an unpaired surrogate";
  return null;
}

/** Why `text` is not acceptable text, naming the first offending character; null when it is. */
export function findNonTextCharacter(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let problem = badCodeUnit(code);
    if (isHighSurrogate(code)) {
      if (isLowSurrogate(text.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      problem = "an unpaired surrogate";
    }
    if (problem !== null) {
      const name = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
      return `contains ${problem} ${name} at offset ${i}; only valid Unicode text is accepted`;
    }
  }
  return null;
}
