/** The application/vnd.glassbox.explanation.v1+json document (docs/mime/explanation.v1.md). */
export type Sign = "all" | "positive" | "negative" | "absolute";
export type Overlay = "blended" | "masked" | "heatmap";
export type Convention = "shap" | "captum";

export interface ExplanationDoc {
  version: 1;
  method: string;
  modality: "tabular" | "image" | "text";
  rowCount: number;
  rows: { target: number; prediction: number; baseValue: number | null; gap: number | null }[];
  features?: { names: string[]; values: (number | null)[][] | null; attributions: number[][] };
  text?: { tokens: string[][]; attributions: number[][] };
  image?: { height: number; width: number; layerShape: number[] | null; pixels: ({ mime: string; base64: string } | null)[]; attributions: number[][] };
  display: { plots: string[]; sign: Sign; overlay: Overlay; clipPercentile: number; colorConvention: Convention; maxDisplay: number };
  diagnostics: Record<string, unknown> & { evaluations: number; batches: number; ms: number; seed: number | null };
}
