// Extension-host tests for machines that can download VS Code (`npm run test:vscode`):
// @vscode/test-cli downloads VS Code, installs nothing else, and runs the bundled suites
// (test/extension/vscode/*.suite.ts, bundled to out/ by the script) inside the extension host.
// The suites are named *.suite.ts so that `npm test` (node's runner, *.test.ts) leaves them alone.
// Where VS Code cannot be downloaded, test/extension/e2e.test.ts covers the same ground in code-server.
import { defineConfig } from "@vscode/test-cli";

export default defineConfig({
  label: "extension-host",
  files: "out/test/extension/vscode/**/*.suite.js",
  version: "stable",
  workspaceFolder: "./test/extension/fixtures",
  // Other installed extensions (the Jupyter extension in particular) stay out of the way.
  launchArgs: ["--disable-extensions", "--disable-workspace-trust"],
  mocha: { ui: "bdd", timeout: 180_000 },
});
