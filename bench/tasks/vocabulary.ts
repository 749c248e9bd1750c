import type { Rng } from "./rng.js";

/** Word lists for generated keys and values (RULER uses adjective-noun keys like "brave-lemon"). */
export const ADJECTIVES = [
  "brave",
  "calm",
  "eager",
  "fancy",
  "gentle",
  "happy",
  "jolly",
  "kind",
  "lively",
  "nice",
  "proud",
  "silly",
  "witty",
  "zealous",
  "ancient",
  "bitter",
  "bright",
  "broad",
  "clever",
  "cold",
  "crooked",
  "curly",
  "damp",
  "dry",
  "dusty",
  "early",
  "empty",
  "faint",
  "flat",
  "fresh",
  "frozen",
  "gigantic",
  "hollow",
  "icy",
  "late",
  "loud",
  "massive",
  "narrow",
  "noisy",
  "old",
  "plain",
  "quiet",
  "rapid",
  "rough",
  "round",
  "shallow",
  "sharp",
  "silent",
  "slow",
  "smooth",
  "soft",
  "sour",
  "steep",
  "sticky",
  "sweet",
  "tall",
  "tender",
  "thick",
  "tiny",
  "wide",
] as const;

export const NOUNS = [
  "apple",
  "anchor",
  "badge",
  "basket",
  "beacon",
  "bottle",
  "bridge",
  "candle",
  "canyon",
  "carpet",
  "castle",
  "cellar",
  "chimney",
  "cloud",
  "compass",
  "cottage",
  "crystal",
  "desert",
  "dragon",
  "engine",
  "falcon",
  "feather",
  "forest",
  "garden",
  "glacier",
  "hammer",
  "harbor",
  "helmet",
  "island",
  "jacket",
  "kettle",
  "ladder",
  "lantern",
  "lemon",
  "meadow",
  "mirror",
  "mountain",
  "needle",
  "orchard",
  "parrot",
  "pebble",
  "pepper",
  "pillow",
  "planet",
  "pocket",
  "rabbit",
  "ribbon",
  "river",
  "saddle",
  "shadow",
  "spoon",
  "statue",
  "tiger",
  "tunnel",
  "umbrella",
  "valley",
  "violin",
  "wagon",
  "window",
  "wizard",
] as const;

export const COLORS = [
  "amber",
  "azure",
  "beige",
  "crimson",
  "cyan",
  "emerald",
  "gold",
  "gray",
  "indigo",
  "ivory",
  "lavender",
  "lilac",
  "magenta",
  "maroon",
  "navy",
  "olive",
  "orange",
  "pink",
  "purple",
  "scarlet",
  "silver",
  "teal",
  "turquoise",
  "violet",
] as const;

const ONSETS = [
  "b",
  "br",
  "c",
  "d",
  "dr",
  "f",
  "g",
  "gr",
  "h",
  "k",
  "l",
  "m",
  "n",
  "p",
  "r",
  "s",
  "st",
  "t",
  "tr",
  "v",
  "z",
];
const VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"];
const CODAS = ["", "", "", "n", "r", "l", "s", "th", "m", "x"];

/** A pronounceable invented name ("Drelomar"): entities no pretraining text can have seen. */
export function inventedName(rng: Rng, syllables = rng.int(2, 3)): string {
  let name = "";
  for (let i = 0; i < syllables; i++) name += rng.pick(ONSETS) + rng.pick(VOWELS) + rng.pick(CODAS);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** `count` distinct values from `make`, so that no two needles or entities of a sample collide. */
export function distinct(
  count: number,
  make: () => string,
  avoid: Iterable<string> = [],
): string[] {
  const seen = new Set(avoid);
  const out: string[] = [];
  for (let attempts = 0; out.length < count; attempts++) {
    if (attempts > 1000 * count) throw new Error(`could not draw ${count} distinct values`);
    const value = make();
    if (!seen.has(value)) {
      seen.add(value);
      out.push(value);
    }
  }
  return out;
}

/** Five upper-case letters, as RULER's variable names. */
export function variableName(rng: Rng): string {
  let name = "";
  for (let i = 0; i < 5; i++) name += String.fromCharCode(65 + rng.int(0, 25));
  return name;
}
