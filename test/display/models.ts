// Models the graph tests share: Sequential, two inputs through a shared layer, a nested model, 150 layers.
import { tf } from "./helpers";

export function sequentialModel(): tf.Sequential {
  return tf.sequential({ name: "mlp", layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: "relu", name: "hidden" }), tf.layers.dense({ units: 3, activation: "softmax", name: "probs" })] });
}

/** Two inputs through one shared Dense, concatenated, then two heads: a Dense and a frozen nested Sequential. */
export function twoInputModel(): tf.LayersModel {
  const a = tf.input({ shape: [5], name: "left" }), b = tf.input({ shape: [5], name: "right" });
  const shared = tf.layers.dense({ units: 3, name: "shared" });
  const joined = tf.layers.concatenate({ name: "joined" }).apply([shared.apply(a) as tf.SymbolicTensor, shared.apply(b) as tf.SymbolicTensor]) as tf.SymbolicTensor;
  const score = tf.layers.dense({ units: 1, name: "score" }).apply(joined) as tf.SymbolicTensor;
  const inner = tf.sequential({ name: "head", layers: [tf.layers.dense({ units: 4, inputShape: [6], name: "head_hidden" }), tf.layers.dense({ units: 2, name: "head_out" })] });
  inner.layers[0].trainable = false;
  return tf.model({ name: "siamese", inputs: [a, b], outputs: [score, inner.apply(joined) as tf.SymbolicTensor] });
}

/** A Sequential nested in a functional model nested in a Sequential. */
export function nestedModel(): tf.Sequential {
  const x = tf.input({ shape: [6], name: "block_in" });
  const block = tf.model({ name: "block", inputs: x, outputs: tf.layers.dense({ units: 6, name: "block_dense" }).apply(tf.layers.dense({ units: 12, activation: "relu", name: "block_wide" }).apply(x)) as tf.SymbolicTensor });
  return tf.sequential({ name: "outer", layers: [tf.layers.dense({ units: 6, inputShape: [2], name: "embed" }), block, tf.layers.dense({ units: 1, name: "outer_out" })] });
}

/** 150 layers: a stem, 74 × (Dense → Dropout), a classifier. */
export function deepModel(): tf.Sequential {
  const model = tf.sequential({ name: "deep" });
  model.add(tf.layers.dense({ units: 32, inputShape: [16], activation: "relu", name: "stem" }));
  for (let i = 0; i < 74; i++) { model.add(tf.layers.dense({ units: 32, activation: "relu" })); model.add(tf.layers.dropout({ rate: 0.1 })); }
  model.add(tf.layers.dense({ units: 10, activation: "softmax", name: "classifier" }));
  return model;
}
