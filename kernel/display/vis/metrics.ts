/** tfvis.metrics: classification results from label and prediction tensors (class indices, 1-D). */
import type * as tfjs from "@tensorflow/tfjs";

async function classes(call: string, labels: tfjs.Tensor, predictions: tfjs.Tensor): Promise<[Int32Array, Int32Array]> {
  const ok = (t: unknown) => !!t && typeof (t as tfjs.Tensor).data === "function" && Array.isArray((t as tfjs.Tensor).shape);
  if (!ok(labels) || !ok(predictions)) throw new TypeError(`tfvis.metrics.${call}: labels and predictions must be 1-D tensors of class indices (e.g. ys.argMax(-1), preds.argMax(-1)).`);
  if (labels.rank !== 1 || predictions.rank !== 1) throw new TypeError(`tfvis.metrics.${call}: labels and predictions must be 1-D (got shapes [${labels.shape}] and [${predictions.shape}]); take argMax(-1) of one-hot or probability tensors first.`);
  if (labels.size !== predictions.size) throw new TypeError(`tfvis.metrics.${call}: labels have ${labels.size} entries but predictions have ${predictions.size}.`);
  const [l, p] = await Promise.all([labels.data(), predictions.data()]);
  return [Int32Array.from(l as ArrayLike<number>), Int32Array.from(p as ArrayLike<number>)];
}

export async function accuracy(labels: tfjs.Tensor, predictions: tfjs.Tensor): Promise<number> {
  const [l, p] = await classes("accuracy", labels, predictions);
  let right = 0;
  for (let i = 0; i < l.length; i++) if (l[i] === p[i]) right++;
  return l.length ? right / l.length : 0;
}

export async function perClassAccuracy(labels: tfjs.Tensor, predictions: tfjs.Tensor, numClasses?: number): Promise<Array<{ accuracy: number; count: number }>> {
  const [l, p] = await classes("perClassAccuracy", labels, predictions);
  const n = numClasses ?? Math.max(-1, ...l, ...p) + 1;
  const right = new Array<number>(n).fill(0), count = new Array<number>(n).fill(0);
  for (let i = 0; i < l.length; i++) { count[l[i]]++; if (l[i] === p[i]) right[l[i]]++; }
  return count.map((c, k) => ({ accuracy: c ? right[k] / c : 0, count: c }));
}

/** Rows are true labels, columns predictions; `weights` weighs each sample (default 1). */
export async function confusionMatrix(labels: tfjs.Tensor, predictions: tfjs.Tensor, numClasses?: number, weights?: tfjs.Tensor): Promise<number[][]> {
  const [l, p] = await classes("confusionMatrix", labels, predictions);
  const w = weights ? await weights.data() : undefined;
  const n = numClasses ?? Math.max(-1, ...l, ...p) + 1;
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < l.length; i++) if (l[i] < n && p[i] < n) m[l[i]][p[i]] += w ? w[i] : 1;
  return m;
}
