// The one way tests launch a browser: Debian's Chromium through playwright-core, headless, with
// the same flags everywhere. GLASSBOX_CHROMIUM points at another build.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.GLASSBOX_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set GLASSBOX_CHROMIUM).`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
