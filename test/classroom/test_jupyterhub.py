"""A classroom on Debian's JupyterHub: the hub on 127.0.0.1 with the dummy authenticator and a
local-process spawner, the Glassbox kernelspec installed, six students who log in, and a tutorial run
in every student's own server at the same time through the Jupyter server's REST and websocket API.
Every cell must succeed; the time and peak memory (all of a student's processes) are reported."""
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parent.parent.parent
STUDENTS = [f"student{i}" for i in range(1, 7)]
TUTORIAL = "01-tensors.ipynb"  # the quickest tutorial; GLASSBOX_QUICK=1 as in CI
CELL_TIMEOUT_S = 240

if shutil.which("jupyterhub") is None or shutil.which("configurable-http-proxy") is None:
    if os.geteuid() == 0:
        raise RuntimeError("jupyterhub is missing although this is root: run `node scripts/setup.mjs` (it installs jupyterhub, node-configurable-http-proxy, python3-notebook)")
    pytest.skip("Debian's jupyterhub is not installed and this is not root: apt-get install jupyterhub node-configurable-http-proxy python3-notebook", allow_module_level=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    def start(self):
        self.dir = Path(tempfile.mkdtemp(prefix="glassbox-hub-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = uuid.uuid4().hex
        prefix = self.dir / "jupyter"
        subprocess.run(["node", str(ROOT / "bin" / "glassbox.js"), "install", "--prefix", str(prefix)], check=True, stdout=subprocess.DEVNULL)
        config = f"""
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {self.port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.JupyterHub.db_url = "sqlite:///{self.dir}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{self.dir}/cookie_secret"
c.JupyterHub.pid_file = "{self.dir}/hub.pid"
c.ConfigurableHTTPProxy.pid_file = "{self.dir}/proxy.pid"
c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.DummyAuthenticator.password = "class-password"
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = "{self.dir}/home/{{username}}"
c.Spawner.cmd = ["jupyterhub-singleuser"]
c.Spawner.args = ["--allow-root"]
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 180
c.Spawner.environment = {{
    "JUPYTER_PATH": "{prefix}/share/jupyter",
    "GLASSBOX_QUICK": "1",
    "JUPYTERHUB_SINGLEUSER_APP": "notebook.notebookapp.NotebookApp",
}}
c.JupyterHub.services = [{{"name": "teacher", "api_token": "{self.token}"}}]
c.JupyterHub.load_roles = [{{"name": "teacher", "scopes": ["admin:users", "admin:servers", "tokens"], "services": ["teacher"]}}]
"""
        (self.dir / "jupyterhub_config.py").write_text(config)
        self.log = open(self.dir / "hub.log", "w")
        self.proc = subprocess.Popen(
            ["jupyterhub", "-f", str(self.dir / "jupyterhub_config.py")],
            cwd=self.dir,
            # Debian's proxy finds its modules in /usr/share/nodejs, which a Node.js from elsewhere does not search.
            env={**os.environ, "NODE_PATH": "/usr/share/nodejs"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 90
        while time.time() < deadline:
            assert self.proc.poll() is None, f"jupyterhub exited:\n{self.logs()}"
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"jupyterhub did not answer within 90 s:\n{self.logs()}")

    def logs(self):
        self.log.flush()
        return (self.dir / "hub.log").read_text()[-6000:]

    def api(self, method, path, **kw):
        r = requests.request(method, f"{self.url}/hub/api{path}", headers={"Authorization": f"token {self.token}"}, timeout=30, **kw)
        assert r.status_code < 400, f"{method} {path}: {r.status_code} {r.text}\n{self.logs()}"
        return r.json() if r.text else None

    def stop(self):
        try:
            os.killpg(self.proc.pid, 15)
            self.proc.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, 9)
        # Single-user servers run in their own sessions; end those of this hub (found by its folder).
        for pid in student_pids(None, str(self.dir)):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def student_pids(user, hub_dir):
    """Processes whose environment says they belong to `user` (any user when None) of this hub."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            env = open(f"/proc/{entry}/environ", "rb").read().split(b"\0")
        except OSError:
            continue
        if f"JUPYTER_PATH={hub_dir}/jupyter/share/jupyter".encode() not in env:
            continue
        if user is None or f"JUPYTERHUB_USER={user}".encode() in env:
            pids.append(int(entry))
    return pids


def rss_bytes(pids):
    total = 0
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def login(hub, name):
    """The login form, as a browser posts it: the dummy authenticator accepts the class password."""
    session = requests.Session()
    r = session.post(f"{hub.url}/hub/login", data={"username": name, "password": "class-password"}, allow_redirects=False, timeout=30)
    assert r.status_code == 302, f"login of {name}: {r.status_code} {r.text[:300]}"
    assert any(c.name.startswith("jupyterhub-hub-login") for c in session.cookies), f"{name} got no login cookie"
    wrong = requests.post(f"{hub.url}/hub/login", data={"username": name, "password": "wrong"}, allow_redirects=False, timeout=30)
    assert wrong.status_code != 302, "a wrong password must not log in"


def message(msg_type, content, session):
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "student", "session": session, "date": "", "version": "5.3"},
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


async def run_notebook(hub, name, token, cells):
    """Uploads the tutorial, starts a Glassbox kernel and runs every code cell over the websocket."""
    base = f"{hub.url}/user/{name}"
    headers = {"Authorization": f"token {token}"}
    loop = asyncio.get_running_loop()

    def http(method, path, **kw):
        r = requests.request(method, f"{base}{path}", headers=headers, timeout=60, **kw)
        assert r.status_code < 400, f"{name}: {method} {path}: {r.status_code} {r.text[:500]}"
        return r.json() if r.text else None

    nb = json.loads((ROOT / "notebooks" / TUTORIAL).read_text())
    await loop.run_in_executor(None, lambda: http("PUT", f"/api/contents/{TUTORIAL}", json={"type": "notebook", "format": "json", "content": nb}))
    specs = await loop.run_in_executor(None, lambda: http("GET", "/api/kernelspecs"))
    assert "glassbox" in specs["kernelspecs"], f"{name}'s server lists no Glassbox kernel: {list(specs['kernelspecs'])}"
    started = time.time()
    kernel = await loop.run_in_executor(None, lambda: http("POST", "/api/kernels", json={"name": "glassbox", "path": TUTORIAL}))
    ws = await websocket_connect(HTTPRequest(f"ws://127.0.0.1:{hub.port}/user/{name}/api/kernels/{kernel['id']}/channels", headers=headers))
    session = uuid.uuid4().hex
    failures = []
    try:
        for index, source in cells:
            request = message("execute_request", {"code": source, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}, session)
            await ws.write_message(json.dumps(request))
            reply, idle, deadline = None, False, time.time() + CELL_TIMEOUT_S
            while reply is None or not idle:
                raw = await asyncio.wait_for(ws.read_message(), timeout=max(1, deadline - time.time()))
                assert raw is not None, f"{name}: the kernel websocket closed at cell {index}"
                msg = json.loads(raw)
                if msg["parent_header"].get("msg_id") != request["header"]["msg_id"]:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "execute_reply":
                    reply = msg["content"]
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
                elif kind == "error":
                    failures.append(f"cell {index}: {msg['content']['ename']}: {msg['content']['evalue']}")
            if reply["status"] != "ok":
                failures.append(f"cell {index}: reply {reply['status']} {reply.get('ename', '')}: {reply.get('evalue', '')}")
                break
    finally:
        ws.close()
        await loop.run_in_executor(None, lambda: requests.delete(f"{base}/api/kernels/{kernel['id']}", headers=headers, timeout=30))
    return {"seconds": time.time() - started, "failures": failures}


@pytest.fixture(scope="module")
def hub():
    h = Hub()
    try:
        h.start()
        yield h
    finally:
        if hasattr(h, "proc"):
            h.stop()
        elif hasattr(h, "dir"):
            shutil.rmtree(h.dir, ignore_errors=True)


def test_six_students_run_a_tutorial_at_once(hub, capsys):
    t0 = time.time()
    tokens = {}
    for name in STUDENTS:
        login(hub, name)
        hub.api("POST", f"/users/{name}/server")
        tokens[name] = hub.api("POST", f"/users/{name}/tokens", json={"note": "classroom test", "expires_in": 3600})["token"]
    deadline = time.time() + 180
    pending = set(STUDENTS)
    while pending and time.time() < deadline:
        for name in list(pending):
            if hub.api("GET", f"/users/{name}")["servers"].get("", {}).get("ready"):
                pending.discard(name)
        time.sleep(1)
    assert not pending, f"servers not ready after 180 s: {sorted(pending)}\n{hub.logs()}"
    spawn_s = time.time() - t0

    nb = json.loads((ROOT / "notebooks" / TUTORIAL).read_text())
    cells = [(i + 1, "".join(c["source"])) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    peaks = {name: 0 for name in STUDENTS}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            for name in STUDENTS:
                peaks[name] = max(peaks[name], rss_bytes(student_pids(name, str(hub.dir))))
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    async def everyone():
        return await asyncio.gather(*(run_notebook(hub, name, tokens[name], cells) for name in STUDENTS))

    t1 = time.time()
    try:
        results = asyncio.run(everyone())
    finally:
        stop.set()
        sampler.join()
    wall = time.time() - t1

    lines = [f"JupyterHub classroom: {len(STUDENTS)} students, {TUTORIAL} ({len(cells)} code cells) at once; servers ready in {spawn_s:.0f} s, all done in {wall:.0f} s"]
    for name, result in zip(STUDENTS, results):
        lines.append(f"  {name}: {result['seconds']:.1f} s, peak memory {peaks[name] / 2**20:.0f} MiB (single-user server + kernel)")
    with capsys.disabled():  # the report shows in npm test's output, not only on failure
        sys.stdout.write("\n" + "\n".join(lines) + "\n")
    (ROOT / "test-results").mkdir(exist_ok=True)
    (ROOT / "test-results" / "classroom.txt").write_text("\n".join(lines) + "\n")
    for name, result in zip(STUDENTS, results):
        assert result["failures"] == [], f"{name}: {result['failures']}"
        assert peaks[name] > 50 * 2**20, f"{name}'s processes were measured ({peaks[name]} bytes)"
