import { createHash } from "node:crypto";
import type { CorpusSplit } from "./types.js";

/**
 * Share of documents held out. 10% rather than the usual 5%: the held-out split must hold at least
 * 600K tokens so that 128K-token haystacks can be built from text training never saw.
 */
export const HELD_OUT_FRACTION = 0.1;

/**
 * The split of a document is a pure function of its id (SHA-256 of the id, read as a fraction of
 * 2^32). It does not depend on load order or on which other documents exist, so adding a corpus
 * never moves a held-out document into training.
 */
export function splitOf(documentId: string, heldOutFraction = HELD_OUT_FRACTION): CorpusSplit {
  const digest = createHash("sha256").update(documentId, "utf8").digest();
  return digest.readUInt32BE(0) / 2 ** 32 < heldOutFraction ? "heldout" : "train";
}
