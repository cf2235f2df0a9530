"""Debian's jupyter_kernel_test suite against the glassbox kernelspec, with every sample filled in."""
import unittest

import jupyter_kernel_test as jkt


class GlassboxKernelTests(jkt.KernelTests):
    kernel_name = "glassbox"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    completion_samples = [
        {"text": "Math.flo", "matches": {"floor"}},
        {"text": "const greeting = 'hi'; greeting.toUpper", "matches": {"toUpperCase"}},
    ]
    complete_code_samples = ["1 + 1", "const a = [1, 2, 3]", "function f() { return 1 }"]
    incomplete_code_samples = ["function f() {", "const a = [1, 2,", "if (true) {\n  console.log(1)"]
    invalid_code_samples = ["const = 5", "1 +* 2", "let 3x = 1"]

    code_generate_error = 'throw new Error("deliberate")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'a'.repeat(3)", "result": "'aaa'"},
        {"code": "[1, 2, 3].map((x) => x * 2)", "result": "[ 2, 4, 6 ]"},
    ]
    code_display_data = [
        {"code": 'display.html("<b>bold</b>")', "mime": "text/html"},
        {"code": 'display.markdown("# title")', "mime": "text/markdown"},
        {"code": 'display.svg("<svg xmlns=\'http://www.w3.org/2000/svg\'/>")', "mime": "image/svg+xml"},
    ]
    code_history_pattern = "6 ?*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"
    code_page_something = "Math.max?"
    code_clear_output = "clearOutput()"


if __name__ == "__main__":
    unittest.main()
