/**
 * A tiny RGB raster for kernel-drawn PNG fallbacks (training curves, heatmaps, image grids).
 * It has only what those need: rectangles, lines, a 3×5 pixel font, nearest-neighbour blits.
 */
import type { Rgb } from "./colormap";
import { pngBase64 } from "./png";

// 3×5 glyphs, rows top to bottom; lower-case letters are drawn as capitals.
const FONT: Record<string, string> = {
  "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
  "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001010010010",
  "8": "111101111101111", "9": "111101111001111", A: "010101111101101", B: "110101110101110",
  C: "011100100100011", D: "110101101101110", E: "111100110100111", F: "111100110100100",
  G: "011100101101011", H: "101101111101101", I: "111010010010111", J: "001001001101010",
  K: "101101110101101", L: "100100100100111", M: "101111111101101", N: "110101101101101",
  O: "010101101101010", P: "110101110100100", Q: "010101101110011", R: "110101110101101",
  S: "011100010001110", T: "111010010010010", U: "101101101101111", V: "101101101101010",
  W: "101101111111101", X: "101101010101101", Y: "101101010010010", Z: "111001010100111",
  ".": "000000000000010", "-": "000000111000000", _: "000000000000111", "=": "000111000111000",
  ":": "000010000010000", "/": "001001010100100", "+": "000010111010000", "%": "101001010100101",
  "@": "111101111100011", "(": "010100100100010", ")": "010001001001010", ",": "000000000010100",
  "[": "110100100100110", "]": "011001001001011", "×": "000101010101000", " ": "000000000000000",
  "?": "111001010000010",
};

export class Raster {
  readonly pixels: Uint8Array;
  constructor(readonly width: number, readonly height: number, background: Rgb = [255, 255, 255]) {
    this.pixels = new Uint8Array(width * height * 3);
    this.rect(0, 0, width, height, background);
  }

  set(x: number, y: number, c: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.pixels[i] = c[0];
    this.pixels[i + 1] = c[1];
    this.pixels[i + 2] = c[2];
  }

  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) this.set(xx, yy, c);
    }
  }

  /** A line `thickness` pixels wide (square brush), enough for chart strokes. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const r = Math.floor(thickness / 2);
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let dy = -r; dy <= thickness - 1 - r; dy++) for (let dx = -r; dx <= thickness - 1 - r; dx++) this.set(x + dx, y + dy, c);
    }
  }

  /** Text in the 3×5 font; returns the width drawn. */
  text(x: number, y: number, text: string, c: Rgb, scale = 2): number {
    let cx = x;
    for (const ch of text) {
      const glyph = FONT[ch] ?? FONT[ch.toUpperCase()] ?? FONT["?"];
      for (let row = 0; row < 5; row++) for (let col = 0; col < 3; col++) {
        if (glyph[row * 3 + col] === "1") this.rect(cx + col * scale, y + row * scale, scale, scale, c);
      }
      cx += 4 * scale;
    }
    return cx - x;
  }

  static textWidth(text: string, scale = 2): number {
    return [...text].length * 4 * scale;
  }

  /** Copies an RGB image of w×h into this raster at (x, y), scaled by an integer factor. */
  blit(src: Uint8Array, w: number, h: number, x: number, y: number, scale: number): void {
    for (let sy = 0; sy < h; sy++) for (let sx = 0; sx < w; sx++) {
      const i = (sy * w + sx) * 3;
      this.rect(x + sx * scale, y + sy * scale, scale, scale, [src[i], src[i + 1], src[i + 2]]);
    }
  }

  toPngBase64(): string {
    return pngBase64(this.pixels, this.width, this.height, 3);
  }
}
