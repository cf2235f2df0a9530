/**
 * The one renderer host every Glassbox renderer is defined with. A renderer says what it draws
 * (`check` a payload, `render` it into an element); the host owns what VS Code's contract asks of
 * every renderer, so each does it the same way:
 * - version and structure: a payload with another `version`, or one that fails `check`, throws
 *   `vscode.fallbackToNextRenderer` and VS Code shows the next MIME type (every Glassbox bundle
 *   carries image/png and text/plain);
 * - failure before anything was shown (the first `render` throws) falls back the same way;
 * - failure later (an update of a shown output) leaves an inline error in the output;
 * - reuse: an update of an output (update_display_data, or a re-render of the same item) goes to
 *   the drawn output while the element still holds what it drew, else the output is drawn afresh;
 * - abort and dispose: an aborted render draws nothing; disposeOutputItem disposes by id or all.
 */
import { PayloadError } from "./check";
import { fallbackToNextRenderer, type ActivationFunction, type OutputItem, type RendererContext } from "./contract";
import { el } from "./dom";
import { t } from "./i18n";
import { ensureStyles } from "./styles";

/** What a drawn output offers the host. Without `update`, an update is drawn afresh. */
export interface DrawnOutput<T> {
  update?(payload: T): void | Promise<void>;
  dispose(): void;
}

export interface RenderContext<State> {
  /** Aborted when VS Code no longer wants this render (a newer one started, or the output went). */
  readonly signal: AbortSignal;
  /** VS Code's renderer context (getState/setState, workspace trust). */
  readonly vscode: RendererContext<State>;
}

/** How a new payload relates to the one an output shows. */
export type Relation = "update" | "new" | "stale";

export interface RendererDefinition<T, State = unknown> {
  mime: string;
  /** The payload's `version` field must equal this; null where the MIME type alone names the version (Plotly's). */
  version: number | null;
  /** Structural check of the JSON; returns it typed or throws (PayloadError) naming the bad field. */
  check(json: unknown): T;
  render(element: HTMLElement, payload: T, ctx: RenderContext<State>): DrawnOutput<T> | void | Promise<DrawnOutput<T> | void>;
  /** Default "update". "new": draw afresh (e.g. another training run); "stale": ignore (older than shown). */
  relation?(shown: T, next: T): Relation;
}

interface Live<T> {
  element: HTMLElement;
  /** The first node drawn: while the element still holds it, the output is ours to update. */
  root: Node | null;
  payload: T;
  output: DrawnOutput<T> | undefined;
}

/** Throws VS Code's fallback error for a payload this renderer cannot draw. */
function checkPayload<T>(json: unknown, definition: Pick<RendererDefinition<T>, "mime" | "version" | "check">): T {
  const version = (json as { version?: unknown } | null)?.version;
  if (!json || typeof json !== "object" || (definition.version !== null && version !== definition.version)) {
    throw fallbackToNextRenderer(`${definition.mime}: expected version ${definition.version}, got ${JSON.stringify(version)}`);
  }
  try {
    return definition.check(json);
  } catch (e) {
    throw fallbackToNextRenderer(`${definition.mime}: ${e instanceof PayloadError ? e.message : String(e)}`);
  }
}

/** The usual `render`: build the output, then draw the payload as its first update; a failure disposes it. */
export async function drawFirst<O extends DrawnOutput<T> & { update(payload: T): void | Promise<void> }, T>(output: O, payload: T): Promise<O> {
  try {
    await output.update(payload);
    return output;
  } catch (e) {
    output.dispose();
    throw e;
  }
}

function showError(element: HTMLElement, mime: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  ensureStyles();
  element.replaceChildren(el("div", { class: "gb-render-error", dataset: { role: "render-error" } },
    t("host.redrawFailed", { mime, message })));
}

export function defineRenderer<T, State = unknown>(definition: RendererDefinition<T, State>): ActivationFunction<State> {
  return (vscode) => {
    const live = new Map<string, Live<T>>();
    const dispose = (id: string) => {
      const entry = live.get(id);
      live.delete(id);
      entry?.output?.dispose();
    };
    return {
      async renderOutputItem(item: OutputItem, element: HTMLElement, signal?: AbortSignal) {
        const payload = checkPayload(item.json(), definition);
        if (signal?.aborted) return;
        const ctx: RenderContext<State> = { signal: signal ?? new AbortController().signal, vscode };
        const shown = live.get(item.id);
        const reusable = shown && shown.element === element && shown.root !== null && element.contains(shown.root);
        const relation = reusable ? definition.relation?.(shown.payload, payload) ?? "update" : "new";
        if (relation === "stale") return;
        if (reusable && relation === "update" && shown.output?.update) {
          shown.payload = payload;
          try {
            await shown.output.update(payload);
          } catch (e) {
            // The user already sees this output: say what happened in place rather than lose it.
            dispose(item.id);
            showError(element, definition.mime, e);
            console.error(`${definition.mime}: update failed`, e);
          }
          return;
        }
        if (shown) dispose(item.id);
        let output: DrawnOutput<T> | undefined;
        try {
          output = (await definition.render(element, payload, ctx)) ?? undefined;
        } catch (e) {
          element.replaceChildren();
          console.error(`${definition.mime}: render failed`, e);
          throw fallbackToNextRenderer(`${definition.mime}: ${e instanceof Error ? e.message : String(e)}`);
        }
        live.set(item.id, { element, root: element.firstChild, payload, output });
      },
      disposeOutputItem(id?: string) {
        for (const key of [...live.keys()]) if (id === undefined || key === id) dispose(key);
      },
    };
  };
}
