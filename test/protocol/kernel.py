"""Helpers to drive a real Glassbox kernel with jupyter_client."""
import time
from contextlib import contextmanager
from queue import Empty

from jupyter_client import KernelManager

# A fresh kernel's first cell waits for libtorch and the TypeScript warm-up: seconds, longer on a loaded machine.
TIMEOUT = 120


@contextmanager
def running_kernel(env=None, cwd=None):
    """A started Glassbox kernel and its client (in `cwd`, the notebook's folder, when given); shut down after."""
    km = KernelManager(kernel_name="glassbox")
    options = {key: value for key, value in (("env", env), ("cwd", str(cwd) if cwd else None)) if value}
    km.start_kernel(**options)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=TIMEOUT)
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def collect(kc, msg_id, timeout=TIMEOUT):
    """All iopub messages for one request, up to and including its idle status."""
    msgs = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        except Empty:
            break
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return msgs
    raise AssertionError(f"no idle status for {msg_id}; got {[m['msg_type'] for m in msgs]}")


def reply_to(kc, msg_id, channel="shell", timeout=TIMEOUT):
    get = kc.get_shell_msg if channel == "shell" else kc.get_control_msg
    deadline = time.time() + timeout
    while time.time() < deadline:
        msg = get(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg
    raise AssertionError(f"no reply to {msg_id}")


def execute(kc, code, timeout=TIMEOUT, **kwargs):
    """Runs code; returns (reply, iopub messages)."""
    msg_id = kc.execute(code, **kwargs)
    reply = reply_to(kc, msg_id, timeout=timeout)
    return reply, collect(kc, msg_id, timeout=timeout)


def outputs(msgs, msg_type):
    return [m["content"] for m in msgs if m["msg_type"] == msg_type]


def result_text(msgs):
    results = outputs(msgs, "execute_result")
    return results[0]["data"]["text/plain"] if results else None


def interrupt(km, kc, channel="control"):
    """Sends interrupt_request on the given channel and returns its reply."""
    msg = kc.session.msg("interrupt_request", {})
    target = kc.control_channel if channel == "control" else kc.shell_channel
    target.send(msg)
    return reply_to(kc, msg["header"]["msg_id"], channel=channel)
