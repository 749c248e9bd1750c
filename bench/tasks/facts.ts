import type { Rng } from "./rng.js";
import { COLORS, inventedName, NOUNS } from "./vocabulary.js";

/** One kind of synthetic fact: "The <attribute> of <entity> is <value>." */
export interface FactAttribute {
  readonly attribute: string;
  readonly value: (rng: Rng) => string;
}

export const FACT_ATTRIBUTES: readonly FactAttribute[] = [
  { attribute: "access code", value: (rng) => rng.digits(5) },
  { attribute: "founding year", value: (rng) => String(rng.int(1100, 1999)) },
  { attribute: "registration number", value: (rng) => rng.digits(6) },
  { attribute: "population", value: (rng) => rng.digits(5) },
  { attribute: "favorite color", value: (rng) => rng.pick(COLORS) },
  { attribute: "home port", value: (rng) => inventedName(rng) },
  { attribute: "chief engineer", value: (rng) => `${inventedName(rng, 2)} ${inventedName(rng)}` },
  { attribute: "secret word", value: (rng) => rng.pick(NOUNS) },
];

export function factSentence(attribute: string, entity: string, value: string): string {
  return `The ${attribute} of ${entity} is ${value}.`;
}
