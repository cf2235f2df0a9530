/**
 * The image/png fallback of an explanation (for JupyterLab, nbviewer and code hosts that do not run
 * the renderer): one shared symmetric colour scale, clipped at a percentile, so images compare.
 */
import { pngBase64 } from "../display/png";
import type { DisplayHints } from "./explanation";

type Rgb = [number, number, number];
const PALETTES: Record<"shap" | "captum", { positive: Rgb; negative: Rgb }> = {
  shap: { positive: [255, 0, 81], negative: [0, 139, 251] },
  captum: { positive: [0, 160, 60], negative: [220, 30, 30] },
};

/** |value| at the given percentile over all maps: one scale for the whole set. */
export function symmetricScale(maps: ArrayLike<number>[], percentile: number): number {
  const all: number[] = [];
  for (const m of maps) for (let i = 0; i < m.length; i++) all.push(Math.abs(m[i]));
  if (all.length === 0) return 1;
  all.sort((a, b) => a - b);
  const v = all[Math.min(all.length - 1, Math.floor((percentile / 100) * (all.length - 1)))];
  return v > 0 ? v : all[all.length - 1] || 1;
}

function signed(v: number, sign: DisplayHints["sign"]): number {
  if (sign === "positive") return Math.max(v, 0);
  if (sign === "negative") return Math.min(v, 0);
  if (sign === "absolute") return Math.abs(v);
  return v;
}

/** Image rows side by side: each is the input in grey with the attribution blended over it, scaled up to about 128 px. */
export function imagePng(maps: Float32Array[], pixels: (Uint8Array | null)[], width: number, height: number, channels: number, hints: Required<DisplayHints>): string {
  const zoom = Math.max(1, Math.floor(128 / Math.max(width, height)));
  const gap = 4;
  const tileW = width * zoom;
  const outW = maps.length * (tileW + gap) - gap;
  const outH = height * zoom;
  const out = new Uint8Array(outW * outH * 4).fill(255);
  const scale = symmetricScale(maps.map((m) => Array.from(m, (v) => signed(v, hints.sign))), hints.clipPercentile);
  const palette = PALETTES[hints.colorConvention];
  maps.forEach((map, r) => {
    const px = pixels[r];
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < tileW; x++) {
        const i = Math.floor(y / zoom) * width + Math.floor(x / zoom);
        let grey = 128;
        if (px) grey = channels === 3 ? (px[i * 3] + px[i * 3 + 1] + px[i * 3 + 2]) / 3 : px[i];
        const v = signed(map[i], hints.sign);
        const t = Math.min(1, Math.abs(v) / scale);
        const colour = v >= 0 ? palette.positive : palette.negative;
        const o = (y * outW + r * (tileW + gap) + x) * 4;
        for (let k = 0; k < 3; k++) out[o + k] = Math.round(grey * (1 - 0.85 * t) + colour[k] * 0.85 * t);
        out[o + 3] = 255;
      }
    }
  });
  return pngBase64(out, outW, outH, 4);
}

/** Horizontal bars per feature (rows of a batch stacked), centred on zero; labels are in text/plain. */
export function barsPng(values: number[][], hints: Required<DisplayHints>): string {
  const barH = 10;
  const width = 240;
  const lines = values.reduce((s, row) => s + Math.min(row.length, 40) + 1, 0);
  const height = Math.max(1, lines * barH);
  const out = new Uint8Array(width * height * 4).fill(255);
  const scale = symmetricScale(values, 100);
  const palette = PALETTES[hints.colorConvention];
  let line = 0;
  for (const row of values) {
    const order = Array.from(row.keys()).sort((a, b) => Math.abs(row[b]) - Math.abs(row[a])).slice(0, 40);
    for (const i of order) {
      const v = signed(row[i], hints.sign);
      const len = Math.round((Math.abs(v) / scale) * (width / 2 - 2));
      const colour = v >= 0 ? palette.positive : palette.negative;
      for (let y = line * barH + 1; y < (line + 1) * barH - 1; y++) {
        for (let d = 0; d < len; d++) {
          const x = v >= 0 ? width / 2 + d : width / 2 - 1 - d;
          const o = (y * width + x) * 4;
          out.set(colour, o);
        }
        out.set([90, 90, 90], (y * width + width / 2) * 4);
      }
      line++;
    }
    line++;
  }
  return pngBase64(out, width, height, 4);
}
