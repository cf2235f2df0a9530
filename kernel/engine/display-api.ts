/** The display API that every cell sees as globals: display, clearOutput, input. */
import { randomUUID } from "node:crypto";
import { JUPYTER_DISPLAY, toDisplay, type DisplayPayload, type MimeBundle } from "../display/mime";
import type { ClearOutput, Display, DisplayHandle, DisplayOptions, Input } from "./api";
import { KernelMessageError } from "./errors";
import type { Output } from "./output";
import { t } from "../i18n";

export interface InputChannel {
  /** Sends input_request for the current cell and resolves with the user's answer. */
  ask(parent: string, prompt: string, password: boolean): Promise<string>;
}

function withMetadata(payload: DisplayPayload, options?: DisplayOptions): DisplayPayload {
  return options?.metadata ? { data: payload.data, metadata: { ...payload.metadata, ...options.metadata } } : payload;
}

export function createDisplayApi(output: Output, inputChannel: InputChannel): { display: Display; clearOutput: ClearOutput; input: Input } {
  const show = (payload: DisplayPayload, options?: DisplayOptions): DisplayHandle => {
    const sink = output.sink();
    const id = options?.id ?? randomUUID();
    sink.show(withMetadata(payload, options), id);
    const handle = {
      id,
      update: (value: unknown) => {
        const payload = toDisplay(value);
        if (payload) sink.update(withMetadata(payload, options), id);
      },
      // A handle as a cell's last value shows nothing, as display() does in IPython.
      [JUPYTER_DISPLAY]: () => null,
    };
    return handle;
  };
  const bundle = (data: MimeBundle, text: string): DisplayPayload => ({ data: { "text/plain": text, ...data }, metadata: {} });

  const display = ((value: unknown, options?: DisplayOptions) => show(toDisplay(value) ?? { data: { "text/plain": "" }, metadata: {} }, options)) as Display;
  display.html = (html, options) => show(bundle({ "text/html": html }, "<HTML output>"), options);
  display.markdown = (markdown, options) => show(bundle({ "text/markdown": markdown }, markdown), options);
  display.svg = (svg, options) => show(bundle({ "image/svg+xml": svg }, "<SVG image>"), options);
  display.png = (png, options) =>
    show(bundle({ "image/png": typeof png === "string" ? png : Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64") }, "<PNG image>"), options);
  display.json = (value, options) => show(bundle({ "application/json": JSON.parse(JSON.stringify(value ?? null)) }, JSON.stringify(value, null, 2)), options);
  display.bundle = (data, options) => show({ data: { "text/plain": "<rich output>", ...data }, metadata: {} }, options);

  const clearOutput: ClearOutput = (options) => output.message("clear_output", { wait: options?.wait === true });

  const ask = async (prompt: string, password: boolean): Promise<string> => {
    const cell = output.current();
    if (!cell) throw new KernelMessageError("InputError", t("input.outsideCell"));
    if (!cell.allowStdin) {
      throw new KernelMessageError("InputError", t("input.notAllowed"));
    }
    output.flush();
    return inputChannel.ask(cell.parent, prompt, password);
  };
  const input = ((prompt = "") => ask(String(prompt), false)) as Input;
  input.password = (prompt = "") => ask(String(prompt), true);

  return { display, clearOutput, input };
}
