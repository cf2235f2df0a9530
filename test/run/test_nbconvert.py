"""Each tutorial under `jupyter nbconvert --to notebook --execute` with the Glassbox kernelspec, in
quick mode: the notebooks are ordinary Jupyter notebooks, not something only `glassbox run` can run.

The kernelspec comes from test/conftest.py (`glassbox install --prefix <tmp>`, JUPYTER_PATH set).
Run: /usr/bin/python3 -m pytest test/run/test_nbconvert.py
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
TUTORIALS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def test_the_tutorials_are_there():
    assert len(TUTORIALS) >= 6, TUTORIALS


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_runs_under_nbconvert(name, jupyter_prefix):
    kernels = Path(os.environ["JUPYTER_PATH"]) / "kernels" / "glassbox" / "kernel.json"
    assert kernels.exists(), f"the glassbox kernelspec is installed at {kernels}"
    out_dir = tempfile.mkdtemp(prefix="glassbox-nbconvert-")
    env = {**os.environ, "GLASSBOX_QUICK": "1"}
    result = subprocess.run(
        [
            # `python -m nbconvert` is `jupyter nbconvert`; Debian ships no jupyter-nbconvert script.
            sys.executable, "-m", "nbconvert",
            "--to", "notebook", "--execute",
            "--ExecutePreprocessor.kernel_name=glassbox",
            "--ExecutePreprocessor.timeout=900",
            "--output-dir", out_dir,
            str(ROOT / "notebooks" / name),
        ],
        cwd=ROOT / "notebooks",
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, f"nbconvert failed on {name}:\n{result.stderr[-6000:]}"
    executed = json.loads((Path(out_dir) / name).read_text())
    code = [c for c in executed["cells"] if c["cell_type"] == "code"]
    assert all(isinstance(c.get("execution_count"), int) for c in code), "every code cell ran"
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert errors == [], errors
    text = "".join(
        "".join(o.get("text", "")) if o["output_type"] == "stream" else ""
        for c in code for o in c["outputs"]
    )
    assert "✓" in text, "the notebook's checks ran and passed"
