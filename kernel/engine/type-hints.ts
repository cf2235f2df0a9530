/** One-line fixes for type errors that are known TensorFlow.js and JavaScript patterns. */

const HINTS: { code?: number; pattern: RegExp; hint: string }[] = [
  {
    pattern: /'(Tensor<Rank>|Tensor) \| (Tensor<Rank>|Tensor)\[\]'/,
    hint: "This is one tensor or an array of them (a model with several outputs). If it is one, write `(value as tf.Tensor)`; if several, index it: `value[0]`.",
  },
  {
    pattern: /'SymbolicTensor \| SymbolicTensor\[\]'|'Tensor<Rank> \| Tensor<Rank>\[\] \| SymbolicTensor/,
    hint: "A layer's apply gives one tensor or several: write `(value as tf.SymbolicTensor)` for one, or index it: `value[0]`.",
  },
  {
    pattern: /'Scalar \| Scalar\[\]'/,
    hint: "evaluate gives one scalar (the loss) or an array (loss and metrics): write `(result as tf.Scalar)`, or `(result as tf.Scalar[])[0]` when the model has metrics.",
  },
  {
    code: 7006,
    pattern: /implicitly has an 'any' type/,
    hint: "Give the parameter a type (`x: number`), or run the notebook on the Glassbox (JavaScript) kernel, which does not block on types.",
  },
];

export function typeErrorHint(code: number, message: string): string | undefined {
  return HINTS.find((h) => (h.code === undefined || h.code === code) && h.pattern.test(message))?.hint;
}
