/**
 * Colormaps for kernel-drawn PNG fallbacks. Viridis is perceptually uniform and readable by
 * colour-blind users; the renderer uses Plotly's "Viridis", so PNG and live view agree.
 */

export type Rgb = readonly [number, number, number];

// matplotlib's viridis sampled at 9 evenly spaced points; linear interpolation between them is
// visually indistinguishable from the 256-entry table at notebook sizes.
const VIRIDIS: readonly Rgb[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** A 256-entry RGB lookup table, flat (r,g,b,r,g,b…), for mapping t∈[0,1] quickly. */
export function colormapLut(stops: readonly Rgb[] = VIRIDIS): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(x));
    const f = x - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k][c] + (stops[k + 1][c] - stops[k][c]) * f);
  }
  return lut;
}

export const viridis = colormapLut(VIRIDIS);

/** Colour for NaN/±Inf cells, distinct from every viridis entry. */
export const NON_FINITE_RGB: Rgb = [255, 0, 255];
