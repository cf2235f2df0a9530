/**
 * VS Code notebook renderer for application/vnd.glassbox.explanation.v1+json: a header with the
 * method, target, f(x), base value and the completeness gap as a badge; controls for the sign mode,
 * overlay style, colour convention and row; and the views: image overlays on one shared symmetric
 * scale with a colour bar, waterfall / bar / force plots for tables, token colouring for text.
 * Every string from the data goes through textContent (or plotText for Plotly labels).
 */
import { EXPLANATION_MIME, type Convention, type ExplanationPayloadV1 as ExplanationDoc, type Overlay, type Sign } from "../../kernel/display/payloads";
import { el } from "../shared/dom";
import { formatMilliseconds, formatNumber, formatPercent, t } from "../shared/i18n";
import { disposePlot } from "../shared/plot";
import { defineRenderer, drawFirst } from "../shared/host";
import { ensureStyles } from "../shared/styles";
import { onThemeChange } from "../shared/theme";
import { checkExplanation } from "./check";
import { renderColorBar, renderForce, renderImages, renderTokens, renderWaterfall, renderBars, type ViewState } from "./views";

type View = "overlay" | "waterfall" | "bar" | "force" | "tokens";

function viewsFor(doc: ExplanationDoc): View[] {
  if (doc.modality === "image") return ["overlay"];
  if (doc.modality === "text") return ["tokens", "bar"];
  return doc.rows.some((r) => r.baseValue !== null) ? ["waterfall", "bar", "force"] : ["bar"];
}

/**
 * Gap badge: ok within 1e-3 of |f(x) − base| (or float32 round-off when that change is ~0),
 * warning within 1e-2, error beyond.
 */
function gapBadge(doc: ExplanationDoc, row: number): HTMLElement {
  const r = doc.rows[row];
  if (r.gap === null || r.baseValue === null) return el("span", { class: "gb-badge gb-muted gb-gap", dataset: { level: "none" }, title: t("explanation.gapNoneTip") }, t("explanation.gapNone"));
  const change = Math.abs(r.prediction - r.baseValue);
  const roundOff = 1e-5 * (1 + Math.abs(r.prediction) + Math.abs(r.baseValue));
  const gap = Math.abs(r.gap);
  const level = gap <= Math.max(1e-3 * change, roundOff) ? "ok" : gap <= Math.max(1e-2 * change, roundOff) ? "warning" : "error";
  const title = change > 0
    ? t("explanation.gapShareTip", { gap: String(r.gap), share: formatPercent(gap / change) })
    : t("explanation.gapTip", { gap: String(r.gap) });
  return el("span", { class: `gb-badge gb-badge-${level} gb-gap`, dataset: { level }, title }, t("explanation.gap", { gap: formatNumber(r.gap) }));
}

function select<T extends string>(label: string, value: T, options: [T, string][], onChange: (v: T) => void, name: string): HTMLElement {
  const s = el("select", { dataset: { control: name }, on: { change: () => onChange(s.value as T) } },
    ...options.map(([v, text]) => el("option", { attrs: { value: v } }, text)));
  s.value = value;
  return el("label", { class: "gb-muted" }, label, " ", s);
}

class ExplanationOutput {
  private doc!: ExplanationDoc;
  private state!: ViewState & { view: View };
  readonly root = el("div", { class: "gb-root gb-explain" });
  private readonly body = el("div", { class: "gb-explain-body" });
  private readonly plots: HTMLElement[] = [];
  private readonly stopTheme: () => void;

  constructor(element: HTMLElement) {
    ensureStyles();
    element.replaceChildren(this.root);
    this.stopTheme = onThemeChange(() => this.draw());
  }

  update(doc: ExplanationDoc): void {
    const sameShape = this.doc && this.doc.modality === doc.modality && this.doc.method === doc.method;
    this.doc = doc;
    if (!sameShape) {
      const d = doc.display;
      this.state = { view: viewsFor(doc)[0], sign: d.sign, overlay: d.overlay, convention: d.colorConvention, row: 0, clipPercentile: d.clipPercentile, maxDisplay: d.maxDisplay };
    }
    this.state.row = Math.min(this.state.row, doc.rows.length - 1);
    this.draw();
  }

  private set<K extends keyof ExplanationOutput["state"]>(key: K, value: ExplanationOutput["state"][K]): void {
    this.state[key] = value;
    this.draw();
  }

  private header(): HTMLElement {
    const { doc, state } = this;
    const r = doc.rows[state.row];
    const d = doc.diagnostics;
    return el("div", { class: "gb-row gb-header" },
      el("span", { class: "gb-title" }, doc.method),
      el("span", { class: "gb-chip" }, t(`explanation.modality.${doc.modality}`)),
      el("span", { class: "gb-stat" }, t("explanation.target", { target: r.target })),
      el("span", { class: "gb-stat" }, t("explanation.prediction", { value: formatNumber(r.prediction) })),
      r.baseValue !== null && el("span", { class: "gb-stat" }, t("explanation.base", { value: formatNumber(r.baseValue) })),
      gapBadge(doc, state.row),
      el("span", { class: "gb-muted" }, [
        t("explanation.diagnostics", { evaluations: d.evaluations, calls: d.batches, time: formatMilliseconds(d.ms) }),
        ...(d.seed !== null ? [t("explanation.seed", { seed: String(d.seed) })] : []),
      ].join(" · ")),
    );
  }

  private controls(): HTMLElement {
    const { doc, state } = this;
    const row = el("div", { class: "gb-row gb-controls" });
    const views = viewsFor(doc);
    if (views.length > 1) {
      row.append(el("div", { class: "gb-tabs", attrs: { role: "tablist" } }, ...views.map((v) =>
        el("button", { class: "gb-tab", dataset: { view: v }, attrs: { role: "tab", "aria-selected": String(v === state.view) }, on: { click: () => this.set("view", v) } }, t(`explanation.view.${v}`)))));
    }
    const signs: Sign[] = ["all", "positive", "negative", "absolute"];
    row.append(select<Sign>(t("explanation.sign"), state.sign, signs.map((v) => [v, t(`explanation.signs.${v}`)]), (v) => this.set("sign", v), "sign"));
    const overlays: Overlay[] = ["blended", "masked", "heatmap"];
    if (doc.modality === "image") row.append(select<Overlay>(t("explanation.overlay"), state.overlay, overlays.map((v) => [v, t(`explanation.overlays.${v}`)]), (v) => this.set("overlay", v), "overlay"));
    const conventions: Convention[] = ["shap", "captum"];
    row.append(select<Convention>(t("explanation.colours"), state.convention, conventions.map((v) => [v, t(`explanation.conventions.${v}`)]), (v) => this.set("convention", v), "convention"));
    if (doc.rows.length > 1 && doc.modality !== "image") {
      row.append(select<string>(t("explanation.row"), String(state.row), doc.rows.map((_, i) => [String(i), String(i)] as [string, string]), (v) => this.set("row", Number(v)), "row"));
    }
    return row;
  }

  private draw(): void {
    for (const p of this.plots.splice(0)) disposePlot(p);
    this.body.replaceChildren();
    const { doc, state } = this;
    const more = doc.rowCount > doc.rows.length ? el("div", { class: "gb-note" }, t("explanation.showingRows", { shown: doc.rows.length, total: doc.rowCount })) : null;
    if (state.view === "overlay" && doc.image) {
      const { scale } = renderImages(this.body, doc, state);
      this.body.append(renderColorBar(scale, state));
    } else if (state.view === "tokens" && doc.text) {
      this.body.append(renderTokens(doc, state));
    } else {
      const plot = el("div", { class: "gb-plot", dataset: { plot: state.view } });
      this.body.append(plot);
      this.plots.push(plot);
      if (state.view === "waterfall") void renderWaterfall(plot, doc, state);
      else if (state.view === "force") void renderForce(plot, doc, state);
      else void renderBars(plot, doc, state);
    }
    this.root.replaceChildren(this.header(), this.controls(), this.body, ...(more ? [more] : []));
  }

  dispose(): void {
    this.stopTheme();
    for (const p of this.plots.splice(0)) disposePlot(p);
  }
}

export const activate = defineRenderer<ExplanationDoc>({
  mime: EXPLANATION_MIME,
  version: 1,
  check: checkExplanation,
  render: (element, doc) => drawFirst(new ExplanationOutput(element), doc),
});
