/**
 * JSON that keeps non-finite numbers: a compression that keeps nothing has ratio Infinity, and
 * plain JSON would turn that into null.
 */
const NON_FINITE = "__ctxpress_number__";

export function toStoredJson(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    typeof member === "number" && !Number.isFinite(member)
      ? { [NON_FINITE]: String(member) }
      : member,
  );
}

export function fromStoredJson(text: string): unknown {
  return JSON.parse(text, (_key, member: unknown) => {
    if (member !== null && typeof member === "object" && NON_FINITE in member) {
      return Number((member as Record<string, string>)[NON_FINITE]);
    }
    return member;
  });
}
