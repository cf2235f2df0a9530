#!/usr/bin/env node
// The `glassbox` command. Builds the bundles on first use from a source checkout.
const { existsSync } = require("node:fs");
const { join } = require("node:path");
const cli = join(__dirname, "..", "dist", "cli.js");
if (!existsSync(cli)) {
  require("node:child_process").execFileSync(process.execPath, [join(__dirname, "..", "esbuild.mjs")], { cwd: join(__dirname, ".."), stdio: "inherit" });
}
require(cli);
