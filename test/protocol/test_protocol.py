"""The Jupyter protocol, end to end through jupyter_client over real ZeroMQ sockets."""
import json
import os
import signal
import threading
import time
import uuid

import pytest
import zmq

from kernel import TIMEOUT, collect, execute, interrupt, outputs, reply_to, result_text, running_kernel


@pytest.fixture(scope="module")
def kernel():
    with running_kernel() as (km, kc):
        yield km, kc


@pytest.fixture
def fresh():
    with running_kernel() as (km, kc):
        yield km, kc


def request(kc, msg_type, content, channel="shell"):
    msg = kc.session.msg(msg_type, content)
    (kc.shell_channel if channel == "shell" else kc.control_channel).send(msg)
    return msg["header"]["msg_id"]


def assert_busy_idle(msgs, msg_id):
    assert msgs, "no iopub messages"
    assert all(m["parent_header"]["msg_id"] == msg_id for m in msgs)
    assert msgs[0]["msg_type"] == "status" and msgs[0]["content"]["execution_state"] == "busy"
    assert msgs[-1]["msg_type"] == "status" and msgs[-1]["content"]["execution_state"] == "idle"


def test_kernel_info_names_the_language_and_backend(kernel):
    km, kc = kernel
    msg_id = request(kc, "kernel_info_request", {})
    reply = reply_to(kc, msg_id)
    c = reply["content"]
    assert reply["parent_header"]["msg_id"] == msg_id
    assert tuple(int(x) for x in c["protocol_version"].split(".")) >= (5, 3)
    assert c["language_info"]["name"] == "typescript"
    assert c["language_info"]["file_extension"] == ".ts"
    assert "Tensor backend:" in c["banner"]
    assert_busy_idle(collect(kc, msg_id), msg_id)


def test_kernel_info_on_control(kernel):
    km, kc = kernel
    msg_id = request(kc, "kernel_info_request", {}, channel="control")
    assert reply_to(kc, msg_id, channel="control")["content"]["implementation"] == "glassbox"


@pytest.mark.parametrize(
    "msg_type,content",
    [
        ("execute_request", {"code": "1 + 1", "silent": False}),
        ("complete_request", {"code": "Math.", "cursor_pos": 5}),
        ("inspect_request", {"code": "Math", "cursor_pos": 2, "detail_level": 0}),
        ("is_complete_request", {"code": "let a = 1"}),
        ("history_request", {"hist_access_type": "tail", "n": 2, "output": False, "raw": True}),
        ("comm_info_request", {}),
        ("connect_request", {}),
    ],
)
def test_every_request_is_wrapped_in_busy_idle_with_parent(kernel, msg_type, content):
    km, kc = kernel
    msg_id = request(kc, msg_type, content)
    reply = reply_to(kc, msg_id)
    assert reply["header"]["msg_type"] == msg_type.replace("_request", "_reply")
    assert reply["content"]["status"] == ("complete" if msg_type == "is_complete_request" else "ok")
    assert_busy_idle(collect(kc, msg_id), msg_id)


def test_execute_input_result_and_counts(kernel):
    km, kc = kernel
    reply, msgs = execute(kc, "6 * 7")
    count = reply["content"]["execution_count"]
    assert outputs(msgs, "execute_input")[0] == {"code": "6 * 7", "execution_count": count}
    assert outputs(msgs, "execute_result")[0]["execution_count"] == count
    assert result_text(msgs) == "42"
    reply2, _ = execute(kc, "1")
    assert reply2["content"]["execution_count"] == count + 1


def test_silent_and_store_history_rules(kernel):
    km, kc = kernel
    before = execute(kc, "0")[0]["content"]["execution_count"]
    reply, msgs = execute(kc, "var silentRan = 5; silentRan", silent=True)
    assert reply["content"]["status"] == "ok"
    assert not outputs(msgs, "execute_input") and not outputs(msgs, "execute_result")
    reply, msgs = execute(kc, "silentRan + 1", store_history=False)
    assert result_text(msgs) == "6"
    assert execute(kc, "0")[0]["content"]["execution_count"] == before + 1


def test_user_expressions(kernel):
    km, kc = kernel
    reply, _ = execute(kc, "var ue = 21", user_expressions={"double": "ue * 2", "bad": "nope.nope"})
    ue = reply["content"]["user_expressions"]
    assert ue["double"]["status"] == "ok" and ue["double"]["data"]["text/plain"] == "42"
    assert ue["bad"]["status"] == "error" and ue["bad"]["ename"] == "ReferenceError"


def test_error_reply_and_message(kernel):
    km, kc = kernel
    reply, msgs = execute(kc, 'function explode() {\n  throw new RangeError("too big")\n}\nexplode()')
    c = reply["content"]
    assert c["status"] == "error" and c["ename"] == "RangeError" and c["evalue"] == "too big"
    [err] = outputs(msgs, "error")
    text = "\n".join(err["traceback"])
    assert "line 2" in text and "explode" in text
    assert "dist/cli.js" not in text and "node:internal" not in text


def test_stop_on_error_aborts_queued_cells(fresh):
    km, kc = fresh
    first = kc.execute('await new Promise(r => setTimeout(r, 300)); throw new Error("first fails")')
    second = kc.execute("var secondRan = true")
    third = kc.execute("var thirdRan = true")
    assert reply_to(kc, first)["content"]["status"] == "error"
    assert reply_to(kc, second)["content"]["status"] == "aborted"
    assert reply_to(kc, third)["content"]["status"] == "aborted"
    _, msgs = execute(kc, "typeof (globalThis as any).secondRan + ' ' + typeof (globalThis as any).thirdRan")
    assert result_text(msgs) == "'undefined undefined'"
    # stop_on_error false: the next cell runs.
    first = kc.execute('throw new Error("ignored")', stop_on_error=False)
    second = kc.execute("var afterIgnored = 1")
    assert reply_to(kc, first)["content"]["status"] == "error"
    assert reply_to(kc, second)["content"]["status"] == "ok"


@pytest.mark.parametrize(
    "channel,loop",
    [
        ("control", "while (true) {}"),
        ("shell", "while (true) {}"),  # VS Code sends interrupt_request on shell
        ("control", "await new Promise(r => setTimeout(r, 10)); while (true) {}"),  # stuck in a promise continuation
    ],
)
def test_interrupt_busy_loop_keeps_state(fresh, channel, loop):
    km, kc = fresh
    execute(kc, "const kept = 41")
    msg_id = kc.execute(loop)
    time.sleep(0.5)
    assert interrupt(km, kc, channel)["content"]["status"] == "ok"
    reply = reply_to(kc, msg_id)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert "interrupted" in reply["content"]["evalue"]
    _, msgs = execute(kc, "kept + 1")
    assert result_text(msgs) == "42"
    # Output still reaches the right cell after the interrupt (async context was repaired).
    msg_id = kc.execute('setTimeout(() => console.log("later"), 50); await new Promise(r => setTimeout(r, 200))')
    reply_to(kc, msg_id)
    assert "later" in "".join(c["text"] for c in outputs(collect(kc, msg_id), "stream"))


def test_interrupt_pending_await(fresh):
    km, kc = fresh
    execute(kc, "let kept = 'still here'")
    msg_id = kc.execute("await new Promise(() => {})")
    time.sleep(0.3)
    interrupt(km, kc)
    assert reply_to(kc, msg_id)["content"]["ename"] == "KeyboardInterrupt"
    assert result_text(execute(kc, "kept")[1]) == "'still here'"


def test_sigint_interrupts_a_pending_await(fresh):
    km, kc = fresh
    msg_id = kc.execute("await new Promise(() => {})")
    time.sleep(0.3)
    os.kill(km.provisioner.process.pid, signal.SIGINT)
    assert reply_to(kc, msg_id)["content"]["ename"] == "KeyboardInterrupt"
    assert result_text(execute(kc, "2 + 2")[1]) == "4"


def test_heartbeat_answers_during_a_busy_cell(fresh):
    km, kc = fresh
    msg_id = kc.execute("while (true) {}")
    time.sleep(0.3)
    ctx = zmq.Context.instance()
    hb = ctx.socket(zmq.REQ)
    hb.linger = 0
    hb.connect(f"tcp://127.0.0.1:{km.hb_port}")
    hb.send(b"ping")
    assert hb.poll(2000), "heartbeat did not answer while the cell was busy"
    assert hb.recv() == b"ping"
    hb.close()
    # control answers too
    info = request(kc, "kernel_info_request", {}, channel="control")
    assert reply_to(kc, info, channel="control", timeout=5)["content"]["status"] == "ok"
    interrupt(km, kc)
    reply_to(kc, msg_id)


def raw_shell(km):
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.linger = 0
    sock.connect(f"tcp://127.0.0.1:{km.shell_port}")
    return sock


def test_bad_signature_is_dropped_and_kernel_keeps_serving(fresh):
    km, kc = fresh
    sock = raw_shell(km)
    session = kc.session
    msg = session.msg("kernel_info_request", {})
    frames = session.serialize(msg)  # [b'<IDS|MSG>', signature, header, parent, metadata, content]
    frames[1] = b"0" * len(frames[1])
    sock.send_multipart(frames)
    assert not sock.poll(1000), "a message with a bad signature was answered"
    good = session.msg("kernel_info_request", {})
    sock.send_multipart(session.serialize(good))
    assert sock.poll(5000)
    reply = session.deserialize(session.feed_identities(sock.recv_multipart())[1])
    assert reply["parent_header"]["msg_id"] == good["header"]["msg_id"]
    sock.close()


def test_malformed_frames_do_not_crash_the_kernel(fresh):
    km, kc = fresh
    sock = raw_shell(km)
    session = kc.session
    # Too few frames.
    sock.send_multipart([b"<IDS|MSG>", b"sig", b"{}"])
    # Invalid JSON, correctly signed.
    parts = [b"{not json", b"{}", b"{}", b"{}"]
    sock.send_multipart([b"<IDS|MSG>", session.sign(parts).encode() if isinstance(session.sign(parts), str) else session.sign(parts)] + parts)
    # No delimiter at all.
    sock.send_multipart([b"garbage"])
    # Unknown message type: answered with an error reply.
    unknown = session.msg("frobnicate_request", {})
    sock.send_multipart(session.serialize(unknown))
    assert sock.poll(5000)
    reply = session.deserialize(session.feed_identities(sock.recv_multipart())[1])
    assert reply["msg_type"] == "frobnicate_reply" and reply["content"]["status"] == "error"
    sock.close()
    assert result_text(execute(kc, "'alive'")[1]) == "'alive'"


def test_input_round_trip(kernel):
    km, kc = kernel
    msg_id = kc.execute('const answer = await input("Your name?"); const secret = await input.password("PIN?"); answer.toUpperCase() + secret.length', allow_stdin=True)
    req = kc.get_stdin_msg(timeout=TIMEOUT)
    assert req["msg_type"] == "input_request"
    assert req["content"] == {"prompt": "Your name?", "password": False}
    assert req["parent_header"]["msg_id"] == msg_id
    kc.input("ada")
    req = kc.get_stdin_msg(timeout=TIMEOUT)
    assert req["content"]["password"] is True
    kc.input("1234")
    assert reply_to(kc, msg_id)["content"]["status"] == "ok"
    assert result_text(collect(kc, msg_id)) == "'ADA4'"


def test_input_without_allow_stdin_is_a_clear_error(kernel):
    km, kc = kernel
    reply, _ = execute(kc, 'await input("x")', allow_stdin=False)
    assert reply["content"]["ename"] == "InputError"
    assert "allow_stdin" in reply["content"]["evalue"]


def test_comms(kernel):
    km, kc = kernel
    execute(kc, 'comms.registerTarget("echo", (comm, data) => { comm.send({ opened: data }); comm.onMessage((d) => comm.send({ echo: d })); })')
    comm_id = uuid.uuid4().hex
    open_id = request(kc, "comm_open", {"comm_id": comm_id, "target_name": "echo", "data": {"hello": 1}})
    msgs = collect(kc, open_id)
    assert_busy_idle(msgs, open_id)
    assert outputs(msgs, "comm_msg")[0] == {"comm_id": comm_id, "data": {"opened": {"hello": 1}}}
    info = reply_to(kc, request(kc, "comm_info_request", {"target_name": "echo"}))
    assert info["content"]["comms"] == {comm_id: {"target_name": "echo"}}
    msg_id = request(kc, "comm_msg", {"comm_id": comm_id, "data": {"x": 2}})
    assert outputs(collect(kc, msg_id), "comm_msg")[0]["data"] == {"echo": {"x": 2}}
    close_id = request(kc, "comm_close", {"comm_id": comm_id, "data": {}})
    collect(kc, close_id)
    assert reply_to(kc, request(kc, "comm_info_request", {}))["content"]["comms"] == {}
    # An unknown target is closed at once.
    other = uuid.uuid4().hex
    msgs = collect(kc, request(kc, "comm_open", {"comm_id": other, "target_name": "nobody", "data": {}}))
    assert outputs(msgs, "comm_close")[0]["comm_id"] == other
    # Kernel-side open.
    _, msgs = execute(kc, 'comms.open("from-kernel", { n: 1 }).id')
    assert outputs(msgs, "comm_open")[0]["target_name"] == "from-kernel"


def test_history_tail_range_search(kernel):
    km, kc = kernel
    for code in ["'h1'", "'h2'", "'h2'"]:
        execute(kc, code)
    tail = reply_to(kc, kc.history(hist_access_type="tail", n=3, output=True, raw=True))["content"]["history"]
    assert [h[2] for h in tail] == [["'h1'", "'h1'"], ["'h2'", "'h2'"], ["'h2'", "'h2'"]]
    session, line = tail[0][0], tail[0][1]
    rng = reply_to(kc, kc.history(hist_access_type="range", session=session, start=line, stop=line + 2, output=False, raw=True))["content"]["history"]
    assert [h[2] for h in rng] == ["'h1'", "'h2'"]
    found = reply_to(kc, kc.history(hist_access_type="search", pattern="'h?'", unique=True, output=False, raw=True))["content"]["history"]
    assert [h[2] for h in found] == ["'h1'", "'h2'"]


def test_history_persists_across_kernels(jupyter_prefix):
    marker = f"'persist-{uuid.uuid4().hex}'"
    with running_kernel() as (km, kc):
        execute(kc, marker)
    with running_kernel() as (km, kc):
        found = reply_to(kc, kc.history(hist_access_type="search", pattern=marker, output=False, raw=True))["content"]["history"]
        assert [h[2] for h in found] == [marker]
        execute(kc, "'new session'")
        current = reply_to(kc, kc.history(hist_access_type="tail", n=1, output=False, raw=True))["content"]["history"]
        assert current[0][2] == "'new session'" and found[0][0] < current[0][0]


def test_connect_and_debug_requests(kernel):
    km, kc = kernel
    c = reply_to(kc, request(kc, "connect_request", {}))["content"]
    assert (c["shell_port"], c["iopub_port"], c["hb_port"]) == (km.shell_port, km.iopub_port, km.hb_port)
    msg_id = request(kc, "debug_request", {"type": "request", "seq": 7, "command": "initialize", "arguments": {}}, channel="control")
    d = reply_to(kc, msg_id, channel="control")["content"]
    assert d["success"] is False and d["request_seq"] == 7 and "not support" in d["message"]


def test_late_output_lands_in_its_own_cell(kernel):
    km, kc = kernel
    first = kc.execute('setTimeout(() => console.log("late from first"), 400); "scheduled"')
    reply_to(kc, first)
    collect(kc, first)
    second = kc.execute("await new Promise(r => setTimeout(r, 900)); 'second done'")
    reply_to(kc, second)
    seen = []
    deadline = time.time() + 5
    while time.time() < deadline and not any(m["msg_type"] == "status" and m["parent_header"].get("msg_id") == second and m["content"]["execution_state"] == "idle" for m in seen):
        seen.append(kc.get_iopub_msg(timeout=5))
    late = [m for m in seen if m["msg_type"] == "stream" and "late from first" in m["content"]["text"]]
    assert late and late[0]["parent_header"]["msg_id"] == first


def test_unhandled_rejection_is_reported_and_kernel_survives(kernel):
    km, kc = kernel
    reply, msgs = execute(kc, 'Promise.reject(new Error("nobody awaited me")); await new Promise(r => setTimeout(r, 100)); "after"')
    assert reply["content"]["status"] == "ok"
    errs = "".join(c["text"] for c in outputs(msgs, "stream") if c["name"] == "stderr")
    assert "nobody awaited me" in errs


def test_memory_exhaustion_stops_the_cell_not_the_kernel():
    env = dict(os.environ, NODE_OPTIONS="--max-old-space-size=512")
    with running_kernel(env=env) as (km, kc):
        execute(kc, "const keep = 'kept'")
        reply, _ = execute(kc, "let hog = []; while (true) hog.push(new Array(100000).fill(Math.random()))")
        assert reply["content"]["ename"] == "MemoryError"
        assert "memory" in reply["content"]["evalue"]
        execute(kc, "hog = null")
        assert result_text(execute(kc, "keep")[1]) == "'kept'"


def test_shutdown_and_restart(fresh):
    km, kc = fresh
    execute(kc, "var before = 1")
    msg_id = request(kc, "shutdown_request", {"restart": True}, channel="control")
    reply = reply_to(kc, msg_id, channel="control")
    assert reply["content"] == {"status": "ok", "restart": True}
    deadline = time.time() + 10
    while km.is_alive() and time.time() < deadline:
        time.sleep(0.1)
    assert not km.is_alive(), "the kernel process did not exit after shutdown_request"
    # As a front end does after a restart: the same client reconnects to the new kernel.
    km.start_kernel()
    kc.wait_for_ready(timeout=TIMEOUT)
    _, msgs = execute(kc, "typeof (globalThis as any).before")
    assert result_text(msgs) == "'undefined'"


def test_iopub_welcome_on_subscribe(kernel):
    km, kc = kernel
    sub = zmq.Context.instance().socket(zmq.SUB)
    sub.linger = 0
    sub.connect(f"tcp://127.0.0.1:{km.iopub_port}")
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    assert sub.poll(5000)
    idents, msg = kc.session.feed_identities(sub.recv_multipart())
    assert kc.session.deserialize(msg)["msg_type"] == "iopub_welcome"
    sub.close()


def test_connection_file_binds_loopback_only_and_key_is_not_logged(fresh):
    km, kc = fresh
    with open(km.connection_file) as f:
        info = json.load(f)
    assert info["ip"] == "127.0.0.1"
    import subprocess
    out = subprocess.run(["ss", "-ltnp"], capture_output=True, text=True).stdout if os.path.exists("/usr/bin/ss") or os.path.exists("/bin/ss") else ""
    for port in (km.shell_port, km.iopub_port, km.hb_port):
        for line in out.splitlines():
            if f":{port} " in line:
                assert "127.0.0.1" in line
