"""`control` in a real Glassbox kernel (jupyter_client): a typed global in every cell; a case sent to
review is asked through the kernel's input prompt (input_request / input_reply); without stdin the
cell says to pass scripted answers; decisions display as control outputs.

Run: /usr/bin/python3 -m pytest -q test/control/test_control_kernel.py
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "protocol"))
from kernel import TIMEOUT, collect, execute, outputs, reply_to, running_kernel  # noqa: E402

CONTROL_MIME = "application/vnd.glassbox.control.v1+json"

SETUP = """
const ctl = control((rows: number[][]) => rows.map((r) => r[0]), {
  features: ["risk", "debt"],
  decision: { above: "decline", below: "approve" },
  rules: [{ kind: "never", name: "affordability", severity: "flag", decision: "approve", when: (x) => x.debt > 0.6 }],
  review: { when: (p) => p.flagged, reviewer: "desk" },
});
"""


def test_review_asks_through_input_and_the_trace_displays():
    with running_kernel() as (km, kc):
        reply, msgs = execute(kc, SETUP)
        assert reply["content"]["status"] == "ok", [m["content"] for m in msgs if m["msg_type"] in ("error", "stream")]

        # A type error in a rule is caught by the cell compiler, with the rule's line.
        reply, _ = execute(kc, 'control((rows: number[][]) => rows.map(() => 0.5), { features: ["a"], rules: [{ kind: "never", name: "n", severity: "sometimes", decision: "x", when: () => true }] });')
        assert reply["content"]["status"] == "error"
        assert "TypeScriptError" == reply["content"]["ename"], reply["content"]

        msg_id = kc.execute('const d = await ctl.decide([[0.2, 0.7], [0.3, 0.1]]); d', allow_stdin=True)
        req = kc.get_stdin_msg(timeout=TIMEOUT)
        assert req["content"]["prompt"].startswith("Review ") and "affordability (flagged)" in req["content"]["prompt"], req["content"]
        kc.input("override decline payslips do not match")
        assert reply_to(kc, msg_id)["content"]["status"] == "ok"
        result = outputs(collect(kc, msg_id), "execute_result")[0]["data"]
        doc = result[CONTROL_MIME]
        assert doc["view"] == "trace" and len(doc["decisions"]) == 2
        first = doc["decisions"][0]
        assert (first["automated"], first["decision"]) == ("approve", "decline")
        assert first["review"]["reviewer"] == "desk" and first["review"]["reason"] == "payslips do not match"
        assert doc["decisions"][1]["review"] is None, "the unflagged case was not asked about"
        assert result["image/png"] and "affordability" in result["text/plain"]

        # A client that does not accept input: the cell says what to do instead.
        reply, _ = execute(kc, "await ctl.decide([[0.2, 0.9]]);", allow_stdin=False)
        assert reply["content"]["status"] == "error"
        text = "\n".join(reply["content"]["traceback"])
        assert "pass review.answers" in text, text
