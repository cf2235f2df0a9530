// The in-process suites share one process, so TypeScript's parse of the lib, @types/node and
// TensorFlow.js declarations (most of a service's start-up) happens once. The worker has its own file.
import { after } from "node:test";
import { removeNotebookDirs } from "./helpers";
import "./service.suite";
import "./editing.suite";
import "./rewrite.suite";
import "./repl.suite";

after(removeNotebookDirs);
