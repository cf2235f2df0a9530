/** Binary payloads inside Glassbox JSON: base64 of little-endian typed arrays. */

export function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export type NumericDtype = "float32" | "int32" | "uint8";
export type NumericArray = Float32Array | Int32Array | Uint8Array;

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A typed array view of little-endian bytes (copied only on a big-endian host). */
export function typedArray(bytes: Uint8Array, dtype: NumericDtype): NumericArray {
  if (dtype === "uint8") return bytes;
  const n = bytes.byteLength / 4;
  if (littleEndianHost && bytes.byteOffset % 4 === 0) return dtype === "float32" ? new Float32Array(bytes.buffer, bytes.byteOffset, n) : new Int32Array(bytes.buffer, bytes.byteOffset, n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = dtype === "float32" ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = dtype === "float32" ? view.getFloat32(i * 4, true) : view.getInt32(i * 4, true);
  return out;
}
