/**
 * The audit: an append-only JSON Lines file. Each line is one record: the session (rules and labels),
 * each decision (input, model score, rules fired, automated decision), each review (who, when, why),
 * feedback and alerts. Lines are only ever appended, never rewritten; replay reads them back.
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Alert } from "./types";

export interface SessionRecord { type: "session"; session: string; at: string; name: string; features: string[]; labels: { threshold: number; above: string; below: string; blocked: string }; rules: Record<string, unknown>[] }
export interface DecisionRecord {
  type: "decision"; id: string; session: string; batch: number; key?: string; x: number[]; group?: string;
  modelScore: number; score: number; automated: string; flagged: boolean; blocked: boolean;
  fired: { rule: string; effect?: string; message?: string }[];
}
export interface ReviewLine { type: "review"; id: string; status: "approved" | "overridden"; automated: string; decision: string; reviewer?: string; reason?: string; at: string }
export interface FeedbackLine { type: "feedback"; id: string; label: string; by?: string; note?: string; at: string }
export interface AlertLine extends Alert { type: "alert"; session: string; at: string }
export type AuditRecord = SessionRecord | DecisionRecord | ReviewLine | FeedbackLine | AlertLine;

export class AuditLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  /** One write per batch: the lines land together or not at all (as far as one append goes). */
  append(records: AuditRecord[]): void {
    if (!records.length) return;
    let text = "";
    for (const r of records) text += JSON.stringify(r) + "\n";
    appendFileSync(this.path, text);
  }
}

export function readAudit(path: string): AuditRecord[] {
  const text = readFileSync(path, "utf8");
  return text.split("\n").filter((l) => l.trim()).map((line, i) => {
    try {
      return JSON.parse(line) as AuditRecord;
    } catch {
      throw new Error(`${path}, line ${i + 1} is not a JSON record; the audit file was changed by hand or cut short.`);
    }
  });
}
