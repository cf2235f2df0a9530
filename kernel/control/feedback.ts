/**
 * Feedback: what reviewers and users said, turned into things to act on — labelled examples to
 * retrain on, and suggested rule changes (a threshold that overrides keep pushing one way, a rule
 * that reviewers keep overruling).
 */
import type { Labels } from "./rules";
import type { Decision, FeedbackExport, LabelledExample, Rule, RuleSuggestion } from "./types";

/** Enough cases pointing one way to suggest a change. */
const MIN_CASES = 3;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** `decisions`: those reviewed or given feedback; `ruleHits`: how often each rule fired over all decisions. */
export function exportFeedback(decisions: Iterable<Decision>, feedback: Map<string, { label: string; by?: string; note?: string }>, rules: Rule[], labels: Labels, ruleHits: Record<string, number>): FeedbackExport {
  const examples: LabelledExample[] = [];
  const overridden: Decision[] = [];
  const overruled = new Map<string, number>();
  for (const d of decisions) {
    const target = (label: string): 0 | 1 => (label === labels.above ? 1 : 0);
    const base = { id: d.id, key: d.key, x: d.x, group: d.group };
    const isOverride = d.review?.status === "overridden";
    if (isOverride) {
      overridden.push(d);
      examples.push({ ...base, label: d.decision, target: target(d.decision), source: "override", by: d.review!.reviewer, reason: d.review!.reason });
    }
    const f = feedback.get(d.id);
    if (f) examples.push({ ...base, label: f.label, target: target(f.label), source: "feedback", by: f.by, reason: f.note });
    if (isOverride) for (const r of d.fired) overruled.set(r.rule, (overruled.get(r.rule) ?? 0) + 1);
  }

  const suggestions: RuleSuggestion[] = [];
  for (const rule of rules) {
    if (rule.kind === "threshold") {
      const groups = new Set(overridden.map((d) => d.group ?? "(none)"));
      for (const group of groups) {
        const t = rule.thresholds[group] ?? rule.otherwise ?? labels.threshold;
        const inGroup = overridden.filter((d) => (d.group ?? "(none)") === group);
        // Scored above the threshold, yet a person chose "below": the threshold is too low for them, and vice versa.
        const up = inGroup.filter((d) => d.score >= t && d.decision === labels.below).map((d) => d.score);
        const down = inGroup.filter((d) => d.score < t && d.decision === labels.above).map((d) => d.score);
        const [moved, change] = up.length >= down.length ? [up, "raise threshold" as const] : [down, "lower threshold" as const];
        const against = up.length >= down.length ? down.length : up.length;
        if (moved.length < MIN_CASES || moved.length < 2 * against) continue;
        const m = median(moved);
        const suggested = change === "raise threshold" ? Math.ceil((m + 1e-9) * 1000) / 1000 : Math.floor(m * 1000) / 1000;
        suggestions.push({
          rule: rule.name, change, group, current: t, suggested,
          evidence: `${moved.length} overrides in group ${group} went ${change === "raise threshold" ? `to "${labels.below}" for scores ${Math.min(...moved).toFixed(3)}–${Math.max(...moved).toFixed(3)} above` : `to "${labels.above}" for scores ${Math.min(...moved).toFixed(3)}–${Math.max(...moved).toFixed(3)} below`} the threshold ${t}${against ? ` (${against} the other way)` : ""}; ${suggested} would have matched half of them.`,
        });
      }
    }
    const fired = ruleHits[rule.name] ?? 0;
    const over = overruled.get(rule.name) ?? 0;
    if (rule.kind !== "threshold" && over >= MIN_CASES && over / fired >= 0.5) {
      suggestions.push({ rule: rule.name, change: "review rule", evidence: `reviewers overrode ${over} of the ${fired} cases this rule fired on; its condition may be too broad.` });
    }
  }
  return { examples, suggestions };
}
