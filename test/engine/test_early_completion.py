"""Completion right after start, with both cores busy in another process: requests issued within a
second of the kernel's first reply, right behind a typed cell that declares names, find that cell's
names (the compiler knows the cell that is running) and the live objects' members, every time."""
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jupyter_client import KernelManager

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "protocol"))
from kernel import TIMEOUT  # noqa: E402

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


def replies(kc, ids):
    """The shell replies to `ids` (msg_id -> label), by label, whatever order they come in."""
    got = {}
    deadline = time.monotonic() + TIMEOUT
    while len(got) < len(ids):
        msg = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        label = ids.get(msg["parent_header"].get("msg_id"))
        if label is not None:
            got[label] = msg["content"]
    return got


def test_completion_right_after_start_finds_the_first_cells_names_and_live_members(tmp_path, busy_cores):
    checks = 0
    for start in range(STARTS):
        km = KernelManager(kernel_name="glassbox")
        km.start_kernel(cwd=str(tmp_path))
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=TIMEOUT)
            ready = time.monotonic()
            name = f"earlyAnswer{start}"
            # A typed cell, then completions pipelined behind it: none waits for the cell's reply.
            ids = {kc.execute(f"const {name}: number = 42;\nclass EarlyModel{start} {{ fitAll() {{}} }}"): "cell"}
            for round_ in range(ROUNDS):
                ids[kc.complete("earlyAns", len("earlyAns"))] = f"name {round_}"
                ids[kc.complete("EarlyMo", len("EarlyMo"))] = f"class {round_}"
                ids[kc.complete(f"{name}.toFi", len(f"{name}.toFi"))] = f"member {round_}"
                ids[kc.complete("Math.sq", len("Math.sq"))] = f"live {round_}"
            issued = time.monotonic() - ready
            assert issued < 1.0, f"the test itself took {issued:.2f} s to issue its requests"
            got = replies(kc, ids)
            assert got["cell"]["status"] == "ok", got["cell"]
            for round_ in range(ROUNDS):
                assert name in got[f"name {round_}"]["matches"], got[f"name {round_}"]
                assert f"EarlyModel{start}" in got[f"class {round_}"]["matches"], got[f"class {round_}"]
                assert "toFixed" in got[f"member {round_}"]["matches"], got[f"member {round_}"]
                live = got[f"live {round_}"]
                assert "sqrt" in live["matches"], live
                assert live["cursor_start"] == len("Math.") and live["cursor_end"] == len("Math.sq")
                assert {"start": 5, "end": 7, "text": "sqrt", "type": "function"} in live["metadata"].get("_jupyter_types_experimental", []), live
                checks += 1
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    assert checks == STARTS * ROUNDS
