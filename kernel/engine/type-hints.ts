/** One-line fixes for type errors that are known TensorFlow.js and JavaScript patterns. */
import { t, type MessageKey } from "../i18n";

const HINTS: { code?: number; pattern: RegExp; hint: MessageKey }[] = [
  {
    pattern: /'(Tensor<Rank>|Tensor) \| (Tensor<Rank>|Tensor)\[\]'/,
    hint: "hint.tensorOrArray",
  },
  {
    pattern: /'SymbolicTensor \| SymbolicTensor\[\]'|'Tensor<Rank> \| Tensor<Rank>\[\] \| SymbolicTensor/,
    hint: "hint.symbolicTensorOrArray",
  },
  {
    pattern: /'Scalar \| Scalar\[\]'/,
    hint: "hint.scalarOrArray",
  },
  {
    code: 7006,
    pattern: /implicitly has an 'any' type/,
    hint: "hint.implicitAny",
  },
];

export function typeErrorHint(code: number, message: string): string | undefined {
  const found = HINTS.find((h) => (h.code === undefined || h.code === code) && h.pattern.test(message));
  return found && t(found.hint);
}
