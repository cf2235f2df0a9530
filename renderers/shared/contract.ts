/**
 * The VS Code notebook renderer contract (the subset Glassbox uses), typed here because
 * @types/vscode-notebook-renderer is not a dependency. See
 * https://code.visualstudio.com/api/extension-guides/notebook#notebook-renderer
 */

export interface OutputItem {
  readonly id: string;
  readonly mime: string;
  readonly metadata?: unknown;
  json(): unknown;
  text(): string;
  data(): Uint8Array;
}

export interface RendererContext<State = unknown> {
  getState?(): State | undefined;
  setState?(state: State): void;
  readonly workspace?: { readonly isTrusted: boolean };
  postMessage?(message: unknown): void;
  onDidReceiveMessage?: unknown;
}

export interface RendererApi {
  renderOutputItem(item: OutputItem, element: HTMLElement, signal?: AbortSignal): void | Promise<void>;
  disposeOutputItem?(id?: string): void;
}

export type ActivationFunction<State = unknown> = (ctx: RendererContext<State>) => RendererApi;

/** Asks VS Code to render the output's next MIME type instead (e.g. image/png) — for unknown versions. */
export function fallbackToNextRenderer(message: string): Error {
  const error = new Error(message);
  error.name = "vscode.fallbackToNextRenderer";
  return error;
}
