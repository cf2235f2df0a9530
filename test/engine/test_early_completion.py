"""Completion right after start, while the TypeScript service is still warming up and both cores are
busy in another process: it answers from the live objects and the cells' bindings, never empty.
The cell that declares the bindings runs with `%typecheck off`, so that it runs at once, before the
service has parsed the libraries (a checked first cell waits for them: see bench:kernel)."""
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "protocol"))
from kernel import TIMEOUT, execute, reply_to  # noqa: E402
from jupyter_client import KernelManager  # noqa: E402

STARTS = 2
ROUNDS = 10


@pytest.fixture
def busy_cores():
    """Two processes that keep both cores busy."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    yield
    for hog in hogs:
        hog.kill()
        hog.wait()


def complete(kc, code):
    started = time.monotonic()
    content = reply_to(kc, kc.complete(code, len(code)))["content"]
    return content, time.monotonic() - started


def test_completion_after_start_finds_cell_bindings_and_live_members(busy_cores):
    checks = 0
    for start in range(STARTS):
        km = KernelManager(kernel_name="glassbox")
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=TIMEOUT)
            # Right after the first reply: the TypeScript service has not parsed the libraries yet.
            content, _ = complete(kc, "Math.sq")
            assert "sqrt" in content["matches"], content
            assert content["cursor_start"] == len("Math.") and content["cursor_end"] == len("Math.sq")
            types = content["metadata"].get("_jupyter_types_experimental", [])
            assert {"start": 5, "end": 7, "text": "sqrt", "type": "function"} in types, types
            name = f"earlyAnswer{start}"
            reply, _ = execute(kc, f"%typecheck off\nconst {name} = 42\nclass EarlyModel{start} {{}}")
            assert reply["content"]["status"] == "ok", reply["content"]
            for _ in range(ROUNDS):
                content, _ = complete(kc, "earlyAns")
                assert name in content["matches"], content
                content, _ = complete(kc, "EarlyMo")
                assert f"EarlyModel{start}" in content["matches"], content
                content, _ = complete(kc, f"{name}.toFi")
                assert "toFixed" in content["matches"], content
                content, _ = complete(kc, "Math.sq")
                assert "sqrt" in content["matches"], content
                checks += 1
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    assert checks == STARTS * ROUNDS
