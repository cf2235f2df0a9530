/** The training payload as the renderer reads it (docs/mime/training.v1.md). */
export interface MetricInfo { key: string; group: string; split: "train" | "val"; goal?: "min" | "max"; domain?: [number, number] }

export interface Series {
  step: number[];
  time: number[];
  values: Record<string, Array<number | null>>;
  aggregated?: { method: "mean"; bucket: number; rawLength: number };
}

export interface TrainingPayload {
  version: 1;
  runId: string;
  title: string;
  status: "running" | "completed" | "stopped" | "interrupted" | "error";
  seq: number;
  startedAt: number;
  updatedAt: number;
  metrics: MetricInfo[];
  series: { batch: Series; epoch: Series & { batchStep: number[] } };
  progress: { epoch: number; epochs?: number; batch: number; batchesPerEpoch?: number; step: number; fraction?: number; elapsedMs: number; etaMs?: number };
  summary?: string;
}
