"""Debian's jupyter_kernel_test suite against the glassbox-js kernelspec (JavaScript samples), and
the point of that kernel: untyped JavaScript that the TypeScript kernel refuses runs there."""
import sys
import unittest
from pathlib import Path

import jupyter_kernel_test as jkt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel import execute, result_text  # noqa: E402
from jupyter_client import KernelManager  # noqa: E402


class GlassboxJavaScriptKernelTests(jkt.KernelTests):
    kernel_name = "glassbox-js"
    language_name = "javascript"
    file_extension = ".js"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    completion_samples = [
        {"text": "Math.flo", "matches": {"floor"}},
        {"text": "const greeting = 'hi'; greeting.toUpper", "matches": {"toUpperCase"}},
    ]
    complete_code_samples = ["1 + 1", "const a = [1, 2, 3]", "function f(x) { return x }"]
    incomplete_code_samples = ["function f(x) {", "const a = [1, 2,", "if (true) {\n  console.log(1)"]
    invalid_code_samples = ["const = 5", "1 +* 2", "let 3x = 1"]

    code_generate_error = 'throw new Error("deliberate")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "function twice(x) { return x * 2 }\ntwice(21)", "result": "42"},
        {"code": "[1, 2, 3].map(x => x * 2)", "result": "[ 2, 4, 6 ]"},
    ]
    code_display_data = [
        {"code": 'display.html("<b>bold</b>")', "mime": "text/html"},
        {"code": 'display.markdown("# title")', "mime": "text/markdown"},
    ]
    code_history_pattern = "6 ?*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"
    code_page_something = "Math.max?"
    code_clear_output = "clearOutput()"


# Pasted from JavaScript: implicit any, a property added to an object later, a value of a union type used freely.
UNTYPED = "function scale(x, k) { return x * k }\nconst point = {}\npoint.x = scale(2, 21)\nconst m = tf.sequential()\nm.add(tf.layers.dense({units: 1, inputShape: [1]}))\nconst out = m.apply(tf.ones([1, 1]))\npoint.x * 10 + out.shape.length"


def run(kernel_name, code):
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        reply, msgs = execute(kc, code)
        return reply["content"], result_text(msgs)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_untyped_javascript_runs_in_glassbox_js_and_is_refused_by_the_typescript_kernel():
    content, text = run("glassbox-js", UNTYPED)
    assert content["status"] == "ok", content
    assert text == "422"
    content, _ = run("glassbox", UNTYPED)
    assert content["status"] == "error" and "TS7006" in content["evalue"]


def test_javascript_syntax_errors_still_stop_the_cell():
    content, _ = run("glassbox-js", "const x = ;\nconsole.log('never')")
    assert content["status"] == "error" and "line 1" in content["evalue"]


if __name__ == "__main__":
    unittest.main()
