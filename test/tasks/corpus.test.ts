import { resolve } from "node:path";
import { AutoTokenizer, env } from "@huggingface/transformers";
import { describe, expect, it } from "vitest";
import {
  CORPUS_SOURCES,
  HELD_OUT_FRACTION,
  loadAllDocuments,
  loadDocuments,
  loadParagraphs,
  splitOf,
  splitParagraphs,
} from "../../bench/corpus/index.js";
import { normalizeText } from "../../bench/corpus/normalize.js";
import { detokenizeBrownLine } from "../../bench/corpus/sources/brown.js";
import { cleanEmailBody } from "../../bench/corpus/sources/spam-assassin.js";

env.allowRemoteModels = false;

describe("corpus split", () => {
  const all = loadAllDocuments();
  const train = loadDocuments("train");
  const heldout = loadDocuments("heldout");

  it("assigns every document to exactly one split, by its id alone", () => {
    expect(new Set(all.map((d) => d.id)).size).toBe(all.length);
    expect(train.length + heldout.length).toBe(all.length);
    const trainIds = new Set(train.map((d) => d.id));
    expect(heldout.some((d) => trainIds.has(d.id))).toBe(false);
    expect(splitOf("brown/ca01")).toBe(splitOf("brown/ca01"));
    expect(heldout.every((d) => splitOf(d.id) === "heldout")).toBe(true);
  });

  it("holds out about the intended share of each source", () => {
    for (const source of CORPUS_SOURCES) {
      const total = all.filter((d) => d.source === source).length;
      const held = heldout.filter((d) => d.source === source).length;
      expect(held, source).toBeGreaterThan(0);
      expect(Math.abs(held / total - HELD_OUT_FRACTION), source).toBeLessThan(0.06);
    }
  });

  it("holds out enough text for 128K-token haystacks (at least 600K tokens)", async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(
      resolve(import.meta.dirname, "../../models/_tokenizer"),
    );
    const tokens = heldout.reduce(
      (sum, d) => sum + tokenizer.encode(d.text, { add_special_tokens: false }).length,
      0,
    );
    expect(tokens).toBeGreaterThan(600_000);
  });

  it("serves held-out paragraphs of bounded size", () => {
    const paragraphs = loadParagraphs("heldout");
    expect(paragraphs.length).toBeGreaterThan(1000);
    const tooLong = paragraphs.filter(
      (p) => p.length > 1200 && /[.!?]\s+[A-Z]/.test(p.slice(0, 1200)),
    );
    expect(tooLong.length / paragraphs.length).toBeLessThan(0.01);
    expect(paragraphs.every((p) => p === p.trim() && p !== "")).toBe(true);
  });
});

describe("corpus text", () => {
  it("turns tagged Brown tokens back into running text", () => {
    const line =
      "The/at jury/nn said/vbd ``/`` it's/pps+bez fine/jj ''/'' ,/, (/( mostly/rb )/) ./.";
    expect(detokenizeBrownLine(line)).toBe('The jury said "it\'s fine", (mostly).');
  });

  it("keeps the writer's prose of an e-mail and drops headers, quotes, links and signature", () => {
    const raw = [
      "From: someone@example.com",
      "Subject: hello",
      "",
      "On Monday, Bob wrote:",
      "> quoted text that is not ours",
      "I think the meeting should move to",
      "Thursday afternoon instead.",
      "",
      "See http://example.com/x for details.",
      "-- ",
      "Alice, signature line",
    ].join("\n");
    expect(cleanEmailBody(raw)).toBe(
      "I think the meeting should move to Thursday afternoon instead.",
    );
  });

  it("normalises whitespace and control characters but not words", () => {
    expect(normalizeText("  Caf\u0065\u0301\tau\u00a0lait \r\n\r\n\r\n\r\nNext\u0007 line  ")).toBe(
      "Caf\u00e9 au lait\n\nNext line",
    );
  });

  it("splits long paragraphs at sentence ends", () => {
    const text = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} is here.`).join(" ");
    const parts = splitParagraphs(text, 200);
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.every((p) => p.length <= 200)).toBe(true);
    expect(parts.join(" ")).toBe(text);
  });
});
