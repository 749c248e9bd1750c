import { Tensor } from "onnxruntime-node";

/**
 * Encoder inputs for a batch of token-id rows, right-padded to `width`: input_ids (padding with
 * `padId`), attention_mask (1 on real tokens), and all-zero token_type_ids when the model takes
 * them (BERT exports do, XLM-RoBERTa ones do not).
 */
export function encoderFeeds(
  rows: readonly (readonly number[])[],
  width: number,
  padId: number,
  withTokenTypes: boolean,
): Record<string, Tensor> {
  const ids = new BigInt64Array(rows.length * width).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    row.forEach((id, t) => {
      ids[r * width + t] = BigInt(id);
      mask[r * width + t] = 1n;
    });
  });
  const dims = [rows.length, width];
  return {
    input_ids: new Tensor("int64", ids, dims),
    attention_mask: new Tensor("int64", mask, dims),
    ...(withTokenTypes
      ? { token_type_ids: new Tensor("int64", new BigInt64Array(ids.length), dims) }
      : {}),
  };
}

/**
 * Batches of sequence indices, longest first: a batch's first sequence sets its padded width,
 * and the batch takes the next ones while they fill at least `minFill` of that width and the
 * batch stays within `batchTokens` positions. So padding is at most (1 − minFill) of a row, and
 * a short sequence never pads to a long one's length.
 */
export function lengthSortedBatches(
  lengths: readonly number[],
  batchTokens: number,
  minFill: number,
): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => (lengths[b] ?? 0) - (lengths[a] ?? 0));
  const batches: number[][] = [];
  for (let from = 0; from < order.length; ) {
    const width = Math.max(1, lengths[order[from] ?? 0] ?? 0);
    const most = Math.max(1, Math.floor(batchTokens / width));
    let count = 1;
    while (
      count < most &&
      from + count < order.length &&
      (lengths[order[from + count] ?? 0] ?? 0) >= minFill * width
    ) {
      count++;
    }
    batches.push(order.slice(from, from + count));
    from += count;
  }
  return batches;
}
