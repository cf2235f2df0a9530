/**
 * VS Code notebook renderer for application/vnd.glassbox.tensor.v1+json: a header (name, dtype,
 * shape, backend), stats with NaN/Inf badges, and switchable views (table with N-D slicing,
 * heatmap, image grid, histogram). Re-rendering the same element (update_display_data) keeps
 * the chosen view and slice when the shape is unchanged.
 */
import { TENSOR_MIME, type TensorPayloadV1 as TensorPayload, type TensorView } from "../../kernel/display/payloads";
import { decodeBase64, typedArray, type NumericArray } from "../shared/data";
import { el } from "../shared/dom";
import { formatInteger, formatNumber, t } from "../shared/i18n";
import { disposePlot } from "../shared/plot";
import { defineRenderer, drawFirst } from "../shared/host";
import { ensureStyles } from "../shared/styles";
import { onThemeChange, readTheme } from "../shared/theme";
import { defaultSlice, type Slice } from "./slice";
import { checkTensor } from "./check";
import { renderHeatmap, renderHistogram, renderImage, renderTable, type ViewInput } from "./views";


interface UiState { view: TensorView; slice: Slice; page: { row: number; col: number }; shapeKey: string }

class TensorOutput {
  private payload!: TensorPayload;
  private values: NumericArray | null = null;
  private ui!: UiState;
  private readonly root = el("div", { class: "gb-root gb-tensor" });
  private readonly header = el("div", { class: "gb-row gb-header" });
  private readonly stats = el("div", { class: "gb-row gb-stats" });
  private readonly note = el("div", { class: "gb-note" });
  private readonly tabs = el("div", { class: "gb-tabs", attrs: { role: "tablist" } });
  private readonly slicer = el("div", { class: "gb-row gb-slicer" });
  private readonly hosts = new Map<TensorView, HTMLElement>();
  private readonly stopTheme: () => void;

  constructor(private readonly element: HTMLElement) {
    ensureStyles();
    this.root.append(this.header, this.stats, this.note, this.tabs, this.slicer);
    element.replaceChildren(this.root);
    this.stopTheme = onThemeChange(() => { void this.drawView(); });
  }

  async update(payload: TensorPayload): Promise<void> {
    this.payload = payload;
    this.values = payload.data ? typedArray(decodeBase64(payload.data.bytes), payload.data.dtype) : null;
    const shapeKey = `${payload.dtype}[${(payload.data?.shape ?? payload.shape).join(",")}]`;
    const available = payload.view.available.filter((v) => v !== "heatmap" || this.values);
    if (!this.ui || this.ui.shapeKey !== shapeKey || !available.includes(this.ui.view)) {
      this.ui = { view: payload.view.default, slice: defaultSlice(payload.data?.shape ?? payload.shape), page: { row: 0, col: 0 }, shapeKey };
    }
    this.renderHeader();
    this.renderTabs(available);
    await this.drawView();
  }

  private renderHeader(): void {
    const p = this.payload;
    this.header.replaceChildren(
      el("span", { class: "gb-title" }, p.name ?? t("tensor.title")),
      el("span", { class: "gb-chip", title: t("tensor.dtypeTip") }, p.dtype),
      el("span", { class: "gb-chip", title: t("tensor.shapeTip") }, `[${p.shape.join(", ")}]`),
      el("span", { class: "gb-chip", title: t("tensor.backendTip") }, p.backend),
      el("span", { class: "gb-muted" }, t("tensor.elements", { count: p.size })),
    );
    const s = p.stats;
    this.stats.replaceChildren();
    if (s) {
      const integer = p.dtype !== "float32";
      const stat = (label: string, text: string) => el("span", { class: "gb-stat" }, el("span", { class: "gb-muted" }, label), " ", text);
      this.stats.append(
        stat(t("tensor.stat.min"), formatNumber(s.min, integer)), stat(t("tensor.stat.max"), formatNumber(s.max, integer)),
        stat(t("tensor.stat.mean"), formatNumber(s.mean)), stat(t("tensor.stat.std"), formatNumber(s.std)),
        stat(t("tensor.stat.zeros"), formatInteger(s.zeros)),
      );
      const badge = (label: string, n: number) => n ? el("span", { class: "gb-badge gb-badge-error", dataset: { badge: label } }, `${label} ${formatInteger(n)}`) : null;
      this.stats.append(...[badge("NaN", s.nan), badge("+Inf", s.posInf), badge("−Inf", s.negInf)].filter((b): b is HTMLSpanElement => b !== null));
      if (!s.nan && !s.posInf && !s.negInf) this.stats.append(el("span", { class: "gb-badge gb-badge-ok", dataset: { badge: "finite" } }, t("tensor.allFinite")));
    }
    this.note.textContent = p.data?.note ?? "";
    this.note.hidden = !p.data?.note;
  }

  private renderTabs(available: TensorView[]): void {
    this.tabs.replaceChildren(...available.map((view) => el("button", {
      class: "gb-tab", dataset: { view }, attrs: { role: "tab", "aria-selected": String(view === this.ui.view) },
      on: { click: () => { this.ui.view = view; this.renderTabs(available); void this.drawView(); } },
    }, t(`tensor.view.${view}`))));
  }

  private renderSlicer(): void {
    const shape = this.payload.data?.shape ?? [];
    const { slice } = this.ui;
    this.slicer.replaceChildren();
    const sliced = (this.ui.view === "table" || this.ui.view === "heatmap") && shape.length > 2;
    this.slicer.hidden = !sliced;
    if (!sliced) return;
    const axisSelect = (role: "rows" | "cols", value: number, set: (axis: number) => void) => {
      const select = el("select", { dataset: { role }, on: { change: () => set(Number(select.value)) } },
        ...shape.map((n, a) => el("option", { attrs: { value: String(a) } }, t("tensor.axisOption", { axis: a, size: n }))));
      select.value = String(value);
      return el("label", {}, t(`tensor.${role}`), " ", select);
    };
    this.slicer.append(
      axisSelect("rows", slice.rowAxis, (a) => { if (a === slice.colAxis) slice.colAxis = slice.rowAxis; slice.rowAxis = a; this.ui.page = { row: 0, col: 0 }; void this.drawView(); }),
      axisSelect("cols", slice.colAxis, (a) => { if (a === slice.rowAxis) slice.rowAxis = slice.colAxis; slice.colAxis = a; this.ui.page = { row: 0, col: 0 }; void this.drawView(); }),
    );
    shape.forEach((n, a) => {
      if (a === slice.rowAxis || a === slice.colAxis) return;
      const input = el("input", { dataset: { axis: String(a) }, attrs: { type: "number", min: "0", max: String(n - 1), value: String(slice.index[a]) }, on: {
        change: () => { slice.index[a] = Math.max(0, Math.min(n - 1, Math.floor(Number(input.value)) || 0)); void this.drawView(); },
      } });
      this.slicer.append(el("label", {}, t("tensor.axisIndex", { axis: a }), " ", input, el("span", { class: "gb-muted" }, ` / ${n - 1}`)));
    });
  }

  private host(view: TensorView): HTMLElement {
    let host = this.hosts.get(view);
    if (!host) {
      host = el("div", { class: view === "heatmap" || view === "histogram" ? "gb-plot gb-view" : "gb-view", dataset: { viewHost: view } });
      this.hosts.set(view, host);
      this.root.append(host);
    }
    return host;
  }

  private async drawView(): Promise<void> {
    this.renderSlicer();
    const view = this.ui.view;
    for (const [v, h] of this.hosts) h.hidden = v !== view;
    const host = this.host(view);
    host.hidden = false;
    const data = this.payload.data;
    const strides = data?.strides ?? [];
    const input: ViewInput = { payload: this.payload, values: this.values, slice: this.ui.slice, origin: (axis, i) => i * (strides[axis] ?? 1) };
    const theme = readTheme();
    const revision = `${this.ui.shapeKey}:${this.ui.slice.rowAxis}:${this.ui.slice.colAxis}`;
    if (view === "table") renderTable(host, input, this.ui.page, (p) => { this.ui.page = p; void this.drawView(); });
    else if (view === "image") renderImage(host, input);
    else if (view === "heatmap") await renderHeatmap(host, input, theme, revision);
    else await renderHistogram(host, this.payload, theme, revision);
  }

  dispose(): void {
    this.stopTheme();
    for (const host of this.hosts.values()) if (host.classList.contains("gb-plot")) disposePlot(host);
    this.element.replaceChildren();
  }
}

export const activate = defineRenderer<TensorPayload>({
  mime: TENSOR_MIME,
  version: 1,
  check: checkTensor,
  render: (element, payload) => drawFirst(new TensorOutput(element), payload),
});
