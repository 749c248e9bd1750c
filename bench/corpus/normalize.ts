/**
 * Light normalisation shared by every corpus loader: Unicode NFC, Unix newlines, no control
 * characters or tabs, single spaces inside lines, and paragraphs separated by exactly one blank
 * line. Words, case and punctuation stay as the source wrote them.
 */
export function normalizeText(raw: string): string {
  return (
    raw
      .normalize("NFC")
      .replace(/\r\n?/g, "\n")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\ufeff]/g, "")
      .replace(/[\t\u00a0\u2000-\u200a\u202f\u3000]+/g, " ")
      .split("\n")
      .map((line) => line.replace(/ {2,}/g, " ").trim())
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}

/** Joins hard-wrapped lines inside each paragraph (e-mail bodies wrap at ~72 columns). */
export function unwrapLines(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.replace(/\n/g, " "))
    .join("\n\n");
}
