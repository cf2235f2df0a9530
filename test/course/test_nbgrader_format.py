"""The tutorials carry exercises in nbgrader's format, and `glassbox course release` writes student
versions whose metadata nbgrader accepts: each cell's `nbgrader` dict validates against the cell
metadata schema version 3 (nbgrader's docs, contributor guide "JSON Metadata Format", and
nbgraderformat/v3.json), obeys the notebook rules of nbgraderformat/v3.py, and carries the checksum
nbgrader's utils.compute_checksum gives."""
import hashlib
import json
import subprocess
from pathlib import Path

import jsonschema
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
TUTORIALS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))

# nbgrader's cell metadata schema, version 3, as its documentation states it (draft 4).
SCHEMA_V3 = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "properties": {
        "schema_version": {"type": "integer", "minimum": 3, "maximum": 3},
        "grade": {"type": "boolean"},
        "locked": {"type": "boolean"},
        "solution": {"type": "boolean"},
        "task": {"type": "boolean"},
        "grade_id": {"type": "string", "pattern": "^[a-zA-Z0-9_\\-]*$"},
        "points": {"type": "number", "minimum": 0},
        "checksum": {"type": "string", "minLength": 32, "maxLength": 32},
        "cell_type": {"type": "string", "enum": ["raw", "code", "markdown"]},
    },
    "required": ["schema_version", "grade", "locked", "solution"],
    "additionalProperties": False,
}


def validate_nbgrader(nb):
    """Schema per cell, then v3's notebook rules; returns the nbgrader cells."""
    validator = jsonschema.Draft4Validator(SCHEMA_V3)
    ids = set()
    graded = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        validator.validate(meta)
        if meta["grade"] or meta["solution"] or meta["locked"]:
            assert meta.get("grade_id"), f"no grade_id: {cell.source[:60]}"
            assert meta["grade_id"] not in ids, f"duplicate grade id {meta['grade_id']}"
            ids.add(meta["grade_id"])
        if meta["grade"]:
            assert "points" in meta, meta["grade_id"]
        if not meta.get("task", False) and cell.cell_type == "markdown":
            assert meta["grade"] == meta["solution"], "markdown cells are graded only as answers"
        if "cell_type" in meta:
            assert meta["cell_type"] == cell.cell_type
        graded.append(cell)
    return graded


def nbgrader_checksum(cell):
    """nbgrader's utils.compute_checksum, as documented there."""
    meta = cell.metadata["nbgrader"]
    is_grade = bool(meta.get("grade", False))
    is_solution = bool(meta.get("solution", False))
    is_locked = False if is_solution else True if is_grade else bool(meta.get("locked", False))
    m = hashlib.md5()
    for part in (cell.source, cell.cell_type, str(is_grade), str(is_solution), str(is_locked), meta["grade_id"]):
        m.update(part.encode("utf-8"))
    if is_grade:
        m.update(str(float(meta["points"])).encode("utf-8"))
    return m.hexdigest()


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    r = subprocess.run(
        ["node", str(ROOT / "bin" / "glassbox.js"), "course", "release", str(ROOT / "notebooks"), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    return out


def test_the_six_tutorials_are_there():
    assert len(TUTORIALS) >= 6, TUTORIALS


@pytest.mark.parametrize("name", TUTORIALS)
def test_source_tutorial_has_exercises_in_nbgrader_format(name):
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    cells = validate_nbgrader(nb)
    kinds = [(c.metadata.nbgrader["solution"], c.metadata.nbgrader["grade"]) for c in cells]
    assert (True, False) in kinds, f"{name} has an answer cell"
    assert (False, True) in kinds, f"{name} has an autograded test cell"
    assert any("BEGIN SOLUTION" in c.source for c in cells), f"{name} marks its solutions"


@pytest.mark.parametrize("name", TUTORIALS)
def test_student_version_validates_and_hides_solutions(name, released):
    source = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    student = nbformat.read(released / name, as_version=4)
    nbformat.validate(student)
    cells = validate_nbgrader(student)
    assert len(student.cells) == len(source.cells)
    for cell in cells:
        meta = cell.metadata.nbgrader
        assert meta["checksum"] == nbgrader_checksum(cell), f"{name}: checksum of {meta['grade_id']}"
        assert "BEGIN SOLUTION" not in cell.source and "HIDDEN TESTS" not in cell.source
        if meta["solution"] and cell.cell_type == "code":
            assert "// YOUR CODE HERE" in cell.source and "throw new Error(" in cell.source
    for src, dst in zip(source.cells, student.cells):
        if src.cell_type == "code":
            assert dst.outputs == [] and dst.execution_count is None
        if "BEGIN SOLUTION" in src.source:
            solution = src.source.split("BEGIN SOLUTION")[1].split("// END SOLUTION")[0].split("\n", 1)[1].strip()
            assert solution not in dst.source, f"{name}: solution text left in the student version"
