/**
 * The control.v1 payload (docs/mime/control.v1.md), declared once for the kernel (display.ts builds it)
 * and the renderer (renderers/control reads it). Only type imports, so the browser bundle
 * takes nothing else from the kernel.
 */
import type { Alert, BatchStats, Decision, RuleKind, RuleOutcome, Severity } from "./types";

export const CONTROL_MIME = "application/vnd.glassbox.control.v1+json";

export interface ControlViewBase {
  version: 1;
  name: string;
  session: string;
  features: string[];
  labels: { threshold: number; above: string; below: string; blocked: string };
  rules: { name: string; kind: RuleKind; severity: Severity }[];
  /** Decisions in the view (trace) or in the session (dashboard). */
  total: number;
}

export interface TraceView extends ControlViewBase {
  view: "trace";
  decisions: (Omit<Decision, "trace"> & { trace: RuleOutcome[] })[];
}

export interface DashboardView extends ControlViewBase {
  view: "dashboard";
  dashboard: {
    counts: Record<string, number>;
    ruleHits: Record<string, number>;
    ruleOverrides: Record<string, number>;
    reviewed: number;
    overridden: number;
    pending: number;
    limits: { psi: number; rate: number } | null;
    referenceRates: Record<string, number | null>;
    history: BatchStats[];
    alerts: Alert[];
    overrides: { id: string; key?: string; automated: string; decision: string; reviewer?: string; reason?: string; at?: string }[];
  };
}

export type ControlView = TraceView | DashboardView;
