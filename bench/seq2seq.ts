// The training bench's second model: a seq2seq LSTM encoder/decoder with dot attention on a padded,
// masked sequence-reversal task. The data is written once to a binary file (int32 source tokens,
// decoder inputs, targets) so that TensorFlow.js and PyTorch (bench/train-torch.py) train on exactly
// the same batches.
import { writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";

export const SEQ2SEQ = { batch: 128, vocab: 64, embedding: 64, units: 128, srcLength: 16, tgtLength: 16 };

export interface Seq2seqData {
  src: Int32Array; // count × srcLength, 0 = padding
  dec: Int32Array; // count × tgtLength: start token, then the target shifted right
  target: Int32Array; // count × tgtLength
  count: number;
}

/** Deterministic (a fixed linear congruential sequence), so every run sees the same samples. */
export function seq2seqData(count: number, srcLength = SEQ2SEQ.srcLength, tgtLength = SEQ2SEQ.tgtLength, vocab = SEQ2SEQ.vocab): Seq2seqData {
  let state = 12345;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const src = new Int32Array(count * srcLength);
  const dec = new Int32Array(count * tgtLength);
  const target = new Int32Array(count * tgtLength);
  for (let s = 0; s < count; s++) {
    const length = Math.ceil(srcLength / 2) + next(Math.floor(srcLength / 2) + 1);
    const tokens = Array.from({ length }, () => 1 + next(vocab - 2));
    tokens.forEach((t, i) => (src[s * srcLength + i] = t));
    const reversed = tokens.reverse().slice(0, tgtLength);
    dec[s * tgtLength] = vocab - 1; // start token
    reversed.forEach((t, i) => {
      target[s * tgtLength + i] = t;
      if (i + 1 < tgtLength) dec[s * tgtLength + i + 1] = t;
    });
  }
  return { src, dec, target, count };
}

export function writeSeq2seq(path: string, data: Seq2seqData): void {
  writeFileSync(path, Buffer.concat([data.src, data.dec, data.target].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
}

export function readSeq2seq(bytes: Buffer, count: number, srcLength = SEQ2SEQ.srcLength, tgtLength = SEQ2SEQ.tgtLength): Seq2seqData {
  const all = new Int32Array(new Uint8Array(bytes).buffer);
  const total = all.length / (srcLength + 2 * tgtLength);
  const src = all.subarray(0, total * srcLength);
  const dec = all.subarray(total * srcLength, total * (srcLength + tgtLength));
  const target = all.subarray(total * (srcLength + tgtLength));
  return { src: src.slice(0, count * srcLength), dec: dec.slice(0, count * tgtLength), target: target.slice(0, count * tgtLength), count };
}

/**
 * Embeddings with maskZero → LSTM encoder (all outputs) and LSTM decoder → dot attention of each
 * decoder step over the encoder steps → softmax over the vocabulary. The decoder starts from zero
 * states and reads the encoder through attention only: tfjs-layers' executor shares one kwargs
 * object between the layers of a model, so a decoder given `initialState` in a functional model
 * breaks the encoder's later outputs during fit ("When inputs is an array, neither initialState or
 * constants should be provided").
 */
export function seq2seqModel(units = SEQ2SEQ.units, vocab = SEQ2SEQ.vocab, embedding = SEQ2SEQ.embedding,
  srcLength = SEQ2SEQ.srcLength, tgtLength = SEQ2SEQ.tgtLength): tf.LayersModel {
  const srcIn = tf.input({ shape: [srcLength] });
  const decIn = tf.input({ shape: [tgtLength] });
  const srcEmb = tf.layers.embedding({ inputDim: vocab, outputDim: embedding, maskZero: true }).apply(srcIn) as tf.SymbolicTensor;
  const encOut = tf.layers.lstm({ units, returnSequences: true }).apply(srcEmb) as tf.SymbolicTensor;
  const decEmb = tf.layers.embedding({ inputDim: vocab, outputDim: embedding, maskZero: true }).apply(decIn) as tf.SymbolicTensor;
  const decOut = tf.layers.lstm({ units, returnSequences: true }).apply(decEmb) as tf.SymbolicTensor;
  const scores = tf.layers.dot({ axes: [2, 2] }).apply([decOut, encOut]) as tf.SymbolicTensor;
  const attention = tf.layers.activation({ activation: "softmax" }).apply(scores) as tf.SymbolicTensor;
  const context = tf.layers.dot({ axes: [2, 1] }).apply([attention, encOut]) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([context, decOut]) as tf.SymbolicTensor;
  const probs = tf.layers.dense({ units: vocab, activation: "softmax" }).apply(joined) as tf.SymbolicTensor;
  return tf.model({ inputs: [srcIn, decIn], outputs: probs });
}

/** The model's inputs and targets as tensors. */
export function seq2seqTensors(data: Seq2seqData, srcLength = SEQ2SEQ.srcLength, tgtLength = SEQ2SEQ.tgtLength): { xs: tf.Tensor[]; ys: tf.Tensor } {
  return {
    xs: [tf.tensor2d(Float32Array.from(data.src), [data.count, srcLength]), tf.tensor2d(Float32Array.from(data.dec), [data.count, tgtLength])],
    ys: tf.tensor3d(Float32Array.from(data.target), [data.count, tgtLength, 1]),
  };
}
