/** The structural check of a control.v1 document: every field the renderer reads (docs/mime/control.v1.md). */
import type { ControlView } from "../../kernel/control/payload";
import { array, boolean, nullable, number, numberOrNull, object, oneOf, optional, string, strings, type Obj } from "../shared/check";

const record = (value: unknown, path: string, item: (v: unknown, path: string) => unknown): Obj => {
  const o = object(value, path);
  for (const [k, v] of Object.entries(o)) item(v, `${path}.${k}`);
  return o;
};

function outcome(value: unknown, path: string): void {
  const o = object(value, path);
  string(o.rule, `${path}.rule`);
  string(o.kind, `${path}.kind`);
  string(o.severity, `${path}.severity`);
  oneOf(o.status, `${path}.status`, ["passed", "fired", "skipped"] as const);
  optional(o.message, `${path}.message`, string);
  optional(o.effect, `${path}.effect`, string);
}

export function checkControl(json: unknown): ControlView {
  const p = object(json, "payload");
  string(p.name, "name");
  strings(p.features, "features");
  const labels = object(p.labels, "labels");
  number(labels.threshold, "labels.threshold");
  for (const k of ["above", "below", "blocked"]) string(labels[k], `labels.${k}`);
  array(p.rules, "rules", (r, path) => {
    const o = object(r, path);
    string(o.name, `${path}.name`);
    string(o.kind, `${path}.kind`);
    string(o.severity, `${path}.severity`);
  });
  number(p.total, "total");
  const view = oneOf(p.view, "view", ["trace", "dashboard"] as const);
  if (view === "trace") {
    array(p.decisions, "decisions", (d, path) => {
      const o = object(d, path);
      string(o.id, `${path}.id`);
      optional(o.key, `${path}.key`, string);
      optional(o.group, `${path}.group`, string);
      number(o.modelScore, `${path}.modelScore`);
      number(o.score, `${path}.score`);
      string(o.automated, `${path}.automated`);
      string(o.decision, `${path}.decision`);
      boolean(o.flagged, `${path}.flagged`);
      boolean(o.blocked, `${path}.blocked`);
      array(o.trace, `${path}.trace`, outcome);
      nullable(o.review, `${path}.review`, (r, rp) => {
        const ro = object(r, rp);
        oneOf(ro.status, `${rp}.status`, ["pending", "approved", "overridden"] as const);
        for (const k of ["reviewer", "reason", "at"]) optional(ro[k], `${rp}.${k}`, string);
      });
    });
  } else {
    const d = object(p.dashboard, "dashboard");
    for (const k of ["counts", "ruleHits", "ruleOverrides"]) record(d[k], `dashboard.${k}`, number);
    for (const k of ["reviewed", "overridden", "pending"]) number(d[k], `dashboard.${k}`);
    nullable(d.limits, "dashboard.limits", (l, lp) => {
      const o = object(l, lp);
      number(o.psi, `${lp}.psi`);
      number(o.rate, `${lp}.rate`);
    });
    record(d.referenceRates, "dashboard.referenceRates", numberOrNull);
    array(d.history, "dashboard.history", (b, path) => {
      const o = object(b, path);
      number(o.batch, `${path}.batch`);
      number(o.rows, `${path}.rows`);
      record(o.psi, `${path}.psi`, number);
      record(o.rates, `${path}.rates`, number);
      record(o.ruleHits, `${path}.ruleHits`, number);
    });
    array(d.alerts, "dashboard.alerts", (a, path) => {
      const o = object(a, path);
      number(o.batch, `${path}.batch`);
      string(o.kind, `${path}.kind`);
      string(o.subject, `${path}.subject`);
      string(o.message, `${path}.message`);
    });
    array(d.overrides, "dashboard.overrides", (o, path) => {
      const x = object(o, path);
      string(x.id, `${path}.id`);
      string(x.automated, `${path}.automated`);
      string(x.decision, `${path}.decision`);
      for (const k of ["key", "reviewer", "reason", "at"]) optional(x[k], `${path}.${k}`, string);
    });
  }
  return p as unknown as ControlView;
}
