/**
 * Finds where generated text must end: the earliest occurrence of any stop string. Generation
 * checks after every token; `from` lets it search only the new tail (a stop string may start up
 * to `longest - 1` characters before the previous end).
 */
export function findStop(text: string, stops: readonly string[], from = 0): number {
  let earliest = -1;
  for (const stop of stops) {
    if (stop.length === 0) continue;
    const at = text.indexOf(stop, Math.max(0, from - stop.length + 1));
    if (at >= 0 && (earliest < 0 || at < earliest)) earliest = at;
  }
  return earliest;
}
