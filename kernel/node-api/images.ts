/**
 * tfjs-node's image codecs (`tf.node.decodeImage`, `decodePng`, `decodeJpeg`, `encodePng`,
 * `encodeJpeg`) on every backend, on pngjs and jpeg-js. Channel counts follow tfjs-node: 0 keeps the
 * file's own, 1 grey, 2 grey and alpha, 3 RGB, 4 RGBA.
 */
import { PNG, type ColorType } from "pngjs";
import * as jpeg from "jpeg-js";
import type * as tfjs from "@tensorflow/tfjs";

type Tf = typeof tfjs;
type ImageDtype = "int32" | "float32";

/** Pixels as RGBA bytes, with the channel count the file itself has. */
interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

function checkChannels(channels: number, fn: string): void {
  if (![0, 1, 2, 3, 4].includes(channels)) throw new Error(`tf.node.${fn}: channels must be 0 (as in the file), 1, 2, 3 or 4; got ${channels}.`);
}

function fromRgba(tf: Tf, image: Rgba, channels: number, dtype: ImageDtype): tfjs.Tensor3D {
  const c = channels || image.channels;
  const n = image.width * image.height;
  const out = new Int32Array(n * c);
  const { data } = image;
  for (let i = 0; i < n; i++) {
    const [r, g, b, a] = [data[4 * i], data[4 * i + 1], data[4 * i + 2], data[4 * i + 3]];
    // Grey as libpng and libjpeg compute it from colour (ITU-R BT.601 weights).
    const grey = () => (image.channels <= 2 ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b));
    if (c === 1) out[i] = grey();
    else if (c === 2) out.set([grey(), a], 2 * i);
    else if (c === 3) out.set([r, g, b], 3 * i);
    else out.set([r, g, b, a], 4 * i);
  }
  const t = tf.tensor3d(out, [image.height, image.width, c], "int32");
  if (dtype === "int32") return t;
  const f = t.toFloat();
  t.dispose();
  return f as tfjs.Tensor3D;
}

function readPng(bytes: Uint8Array): Rgba {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const channels = png.palette || png.color ? (png.alpha ? 4 : 3) : png.alpha ? 2 : 1;
  return { data: png.data, width: png.width, height: png.height, channels };
}

function readJpeg(bytes: Uint8Array): Rgba {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: true });
  let grey = true;
  for (let i = 0; i < img.data.length && grey; i += 4) grey = img.data[i] === img.data[i + 1] && img.data[i] === img.data[i + 2];
  return { data: img.data, width: img.width, height: img.height, channels: grey ? 1 : 3 };
}

function isPng(b: Uint8Array): boolean {
  return b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
}

function isJpeg(b: Uint8Array): boolean {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

/** The image's pixels as RGBA bytes, however many channels the tensor has. */
async function toRgba(image: tfjs.Tensor3D, fn: string): Promise<Rgba> {
  if (image.rank !== 3) throw new Error(`tf.node.${fn}: the image must be a 3D tensor [height, width, channels]; got shape [${image.shape}].`);
  const [height, width, c] = image.shape;
  if (c < 1 || c > 4) throw new Error(`tf.node.${fn}: the image must have 1 to 4 channels; got ${c}.`);
  const values = await image.data();
  const data = new Uint8Array(width * height * 4);
  const byte = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let i = 0; i < width * height; i++) {
    const p = (k: number) => byte(values[i * c + k]);
    const px = c === 1 ? [p(0), p(0), p(0), 255] : c === 2 ? [p(0), p(0), p(0), p(1)] : c === 3 ? [p(0), p(1), p(2), 255] : [p(0), p(1), p(2), p(3)];
    data.set(px, 4 * i);
  }
  return { data, width, height, channels: c as Rgba["channels"] };
}

const PNG_COLOR_TYPE: Record<number, ColorType> = { 1: 0, 2: 4, 3: 2, 4: 6 };

export function imageCodecs(tf: Tf) {
  const decodePng = (contents: Uint8Array, channels = 0, dtype: ImageDtype = "int32"): tfjs.Tensor3D => {
    checkChannels(channels, "decodePng");
    if (!isPng(contents)) throw new Error("tf.node.decodePng: the bytes are not a PNG image.");
    return fromRgba(tf, readPng(contents), channels, dtype);
  };
  const decodeJpeg = (contents: Uint8Array, channels = 0): tfjs.Tensor3D => {
    checkChannels(channels, "decodeJpeg");
    if (!isJpeg(contents)) throw new Error("tf.node.decodeJpeg: the bytes are not a JPEG image.");
    return fromRgba(tf, readJpeg(contents), channels, "int32");
  };
  const decodeImage = (contents: Uint8Array, channels = 0, dtype: ImageDtype = "int32"): tfjs.Tensor3D => {
    checkChannels(channels, "decodeImage");
    if (isPng(contents)) return decodePng(contents, channels, dtype);
    if (isJpeg(contents)) return fromRgba(tf, readJpeg(contents), channels, dtype);
    throw new Error("tf.node.decodeImage reads PNG and JPEG images here; these bytes are neither (GIF and BMP need @tensorflow/tfjs-node).");
  };
  const encodePng = async (image: tfjs.Tensor3D, compression = 1): Promise<Uint8Array> => {
    const rgba = await toRgba(image, "encodePng");
    const png = new PNG({ width: rgba.width, height: rgba.height });
    png.data = Buffer.from(rgba.data.buffer, rgba.data.byteOffset, rgba.data.byteLength);
    const out = PNG.sync.write(png, { colorType: PNG_COLOR_TYPE[rgba.channels], inputColorType: 6, inputHasAlpha: true, deflateLevel: Math.max(0, Math.min(9, compression)) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  };
  const encodeJpeg = async (image: tfjs.Tensor3D, format: "" | "grayscale" | "rgb" = "", quality = 95): Promise<Uint8Array> => {
    const rgba = await toRgba(image, "encodeJpeg");
    if (format === "grayscale" && rgba.channels !== 1) throw new Error(`tf.node.encodeJpeg: format "grayscale" needs a 1-channel image; got ${rgba.channels}.`);
    if (format === "rgb" && rgba.channels !== 3) throw new Error(`tf.node.encodeJpeg: format "rgb" needs a 3-channel image; got ${rgba.channels}.`);
    const out = jpeg.encode({ data: rgba.data, width: rgba.width, height: rgba.height }, quality);
    return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  };
  return { decodeImage, decodePng, decodeJpeg, encodePng, encodeJpeg };
}
