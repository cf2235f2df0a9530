"""`glassbox install` and the CLI: kernelspecs that Jupyter finds, without Python doing the install."""
import json
import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CLI = ["node", str(ROOT / "bin" / "glassbox.js")]


def glassbox(*args, env=None):
    return subprocess.run(CLI + list(args), capture_output=True, text=True, env={**os.environ, **(env or {})})


def test_install_prefix_is_listed_by_jupyter(tmp_path):
    r = glassbox("install", "--prefix", str(tmp_path), "--name", "gb-test", "--display-name", "Glassbox Test")
    assert r.returncode == 0, r.stderr
    spec_dir = tmp_path / "share" / "jupyter" / "kernels" / "gb-test"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["display_name"] == "Glassbox Test" and spec["language"] == "typescript"
    assert spec["interrupt_mode"] == "message"
    assert os.path.isabs(spec["argv"][0]) and spec["argv"][-2:] == ["kernel", "{connection_file}"]
    assert any(os.path.isabs(a) and a.endswith("cli.js") for a in spec["argv"])
    assert (spec_dir / "logo-64x64.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Its JavaScript twin: the same kernel, cells never blocked by types.
    js = json.loads((spec_dir.parent / "gb-test-js" / "kernel.json").read_text())
    assert js["display_name"] == "Glassbox Test (JavaScript)" and js["language"] == "javascript"
    assert js["argv"][-4:] == ["kernel", "--language", "javascript", "{connection_file}"]
    # `jupyter kernelspec list` (Debian ships no `jupyter` launcher; this is the program it runs).
    listed = subprocess.run(
        ["/usr/bin/python3", "-m", "jupyter_client.kernelspecapp", "list", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "JUPYTER_PATH": str(tmp_path / "share" / "jupyter")},
    )
    assert listed.returncode == 0, listed.stderr
    specs = json.loads(listed.stdout[listed.stdout.index("{") :])["kernelspecs"]
    assert "gb-test" in specs and specs["gb-test"]["spec"]["display_name"] == "Glassbox Test"
    assert specs["gb-test-js"]["spec"]["language"] == "javascript"


def test_install_user_uses_the_jupyter_data_dir(tmp_path):
    r = glassbox("install", "--user", env={"JUPYTER_DATA_DIR": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "kernels" / "glassbox" / "kernel.json").exists()
    assert (tmp_path / "kernels" / "glassbox-js" / "kernel.json").exists()


def test_install_errors_speak_to_the_user(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    r = subprocess.run(CLI + ["install", "--sys-prefix"], capture_output=True, text=True, env=env)
    assert r.returncode != 0 and "--sys-prefix needs an active Python environment" in r.stderr
    r = glassbox("install", "--name", "bad name!")
    assert r.returncode == 2 and "letters, digits" in r.stderr
    r = glassbox("frobnicate")
    assert r.returncode == 2 and "unknown command" in r.stderr and "Usage" in r.stderr


def test_version():
    r = glassbox("--version")
    assert r.returncode == 0
    assert r.stdout.strip() == json.loads((ROOT / "package.json").read_text())["version"]


def test_connection_files_written_by_glassbox_are_private(tmp_path):
    # The runner and the VS Code extension start kernels with connection files that hold the key.
    script = (
        "const { writeConnectionFile } = require('./kernel/protocol/connection');"
        f"writeConnectionFile({json.dumps(str(tmp_path / 'conn.json'))}).then(() => console.log('ok'));"
    )
    r = subprocess.run(["node", "--import", "tsx", "-e", script], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE((tmp_path / "conn.json").stat().st_mode) == 0o600
