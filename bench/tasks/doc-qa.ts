import { z } from "zod";
import { FACT_ATTRIBUTES, type FactAttribute, factSentence } from "./facts.js";
import { drawText, firstWords, fitLength, insertAtDepths, wordPieces } from "./haystack.js";
import { baseOptionsSchema } from "./options.js";
import { readerPrompt } from "./prompt.js";
import { Rng } from "./rng.js";
import type { TaskSample } from "./types.js";
import { distinct, inventedName } from "./vocabulary.js";

export const docQaOptionsSchema = baseOptionsSchema
  .extend({
    documents: z.number().int().min(1).max(200).default(20),
    /** 1-based index of the document holding the answer (Lost in the Middle: 1, 5, 10, 15, 20). */
    position: z.number().int().min(1),
  })
  .refine((o) => o.position <= o.documents, {
    message: "position must be between 1 and the number of documents",
    path: ["position"],
  });
export type DocQaOptions = z.input<typeof docQaOptionsSchema>;

/** Corpus text drawn per document, as a multiple of its share of the length (then cut to fit). */
const DRAW_MARGIN = 1.25;

/**
 * Multi-document QA in the style of Lost in the Middle, built offline: `documents` documents,
 * each a corpus paragraph with one synthetic fact "The <attribute> of <entity> is <value>."
 * inserted at a random sentence boundary, titled by its entity. Only the document at `position`
 * answers the question; half of the others state the same attribute of other entities (hard
 * distractors), the rest other attributes. All documents are cut to the same number of words so
 * that the whole prompt fits `lengthTokens`.
 */
export function docQa(input: DocQaOptions): TaskSample {
  const options = docQaOptionsSchema.parse(input);
  const rng = new Rng(options.seed);
  const n = options.documents;
  const asked = rng.pick(FACT_ATTRIBUTES);
  const entities = distinct(n, () => inventedName(rng));
  const facts = entities.map((entity, i) => {
    const gold = i === options.position - 1;
    const attribute: FactAttribute =
      gold || rng.next() < 0.5 ? asked : rng.pick(FACT_ATTRIBUTES.filter((a) => a !== asked));
    return { entity, attribute: attribute.attribute, value: attribute.value(rng) };
  });
  const gold = facts[options.position - 1] as (typeof facts)[number];
  // Distractors may share the gold value by chance (colours, words): the answer must stay unique.
  for (const fact of facts) {
    while (fact !== gold && fact.attribute === gold.attribute && fact.value === gold.value) {
      fact.value = asked.value(rng);
    }
  }
  const drawTokens = Math.ceil((options.lengthTokens / n) * DRAW_MARGIN);
  const bodies = facts.map(() =>
    wordPieces(drawText(options.haystack, rng, drawTokens, options.countTokens)),
  );
  const factDepths = facts.map(() => rng.next());
  const maxWords = Math.min(...bodies.map((b) => b.length));
  const documentsOf = (words: number) =>
    facts.map((fact, i) => {
      const body = insertAtDepths(firstWords(bodies[i] as string[], words), [
        {
          sentence: factSentence(fact.attribute, fact.entity, fact.value),
          depth: factDepths[i] as number,
        },
      ]);
      return `Document [${i + 1}](Title: ${fact.entity}) ${body}`;
    });
  const parts = {
    instruction:
      "Write a high-quality answer for the given question using only the provided search results (some of which might be irrelevant).",
    question: `What is the ${gold.attribute} of ${gold.entity}?`,
    answerPrefix: `The ${gold.attribute} of ${gold.entity} is`,
  };
  const fit = fitLength(
    (words) => readerPrompt({ ...parts, contexts: documentsOf(words) }),
    maxWords,
    options.lengthTokens,
    options.countTokens,
  );
  return {
    id: `doc-qa-${options.lengthTokens}-s${options.seed}-n${n}-p${options.position}`,
    task: "doc-qa",
    ...parts,
    contexts: documentsOf(fit.n),
    answers: [gold.value],
    meta: {
      lengthTokens: fit.tokens,
      requestedTokens: options.lengthTokens,
      seed: options.seed,
      haystack: options.haystack.name,
      position: options.position,
      needles: facts.map((f) => factSentence(f.attribute, f.entity, f.value)),
    },
  };
}
