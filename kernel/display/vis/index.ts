/**
 * tfjs-vis in a notebook: the same calls (`tfvis.render.scatterplot(surface, data, opts)`,
 * `tfvis.show.modelSummary`, `tfvis.metrics.confusionMatrix`…) draw inline in the running cell's
 * output instead of a browser visor. `import * as tfvis from "@tensorflow/tfjs-vis"` is this module.
 */
import * as render from "./render";
import * as show from "./show";
import * as metrics from "./metrics";

export { render, show, metrics };
export type { Drawable } from "./surface";

interface Surface { name: string; tab: string; drawArea: Surface; label: Surface; container: Surface }

/** There is no visor window in a notebook: every surface is an output below the cell. */
const theVisor = {
  surface(options: { name: string; tab?: string; styles?: Record<string, unknown> }): Surface {
    const s = { name: options.name, tab: options.tab ?? "Visor" } as Surface;
    s.drawArea = s.label = s.container = s;
    return s;
  },
  isOpen: () => true,
  isFullscreen: () => false,
  open(): void {},
  close(): void {},
  toggle(): void {},
  toggleFullScreen(): void {},
  bindKeys(): void {},
  unbindKeys(): void {},
  setActiveTab(_name: string): void {},
};

export function visor(): typeof theVisor {
  return theVisor;
}
