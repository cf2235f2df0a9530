"""Shared fixtures for the Python suites: a Glassbox kernelspec in a temporary Jupyter path."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_prefix = tempfile.mkdtemp(prefix="glassbox-jupyter-")
# Set before any test imports jupyter_client's path helpers, so every suite sees the same spec.
os.environ["JUPYTER_PATH"] = os.path.join(_prefix, "share", "jupyter")
os.environ["GLASSBOX_HISTORY_DIR"] = tempfile.mkdtemp(prefix="glassbox-history-")
subprocess.run(
    ["node", str(ROOT / "bin" / "glassbox.js"), "install", "--prefix", _prefix],
    check=True,
    stdout=subprocess.DEVNULL,
)


@pytest.fixture(scope="session")
def jupyter_prefix():
    return _prefix
