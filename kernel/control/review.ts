/**
 * Human review: which cases go to a person, and where the answers come from — scripted answers
 * (a JSON or JSON Lines file, a list, a function) in headless runs, or the kernel's `input` prompts in
 * a notebook. Every answer is checked: an override names the new decision and says why.
 */
import { readFileSync } from "node:fs";
import type { Labels } from "./rules";
import type { AnswerSource, Prediction, ReviewAnswer, ReviewCase, ReviewOptions, Row } from "./types";

export class ReviewError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReviewError";
  }
}

function readAnswers(path: string): ReviewAnswer[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ReviewError(`Could not read the review answers file ${path}: ${(e as Error).message}`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) return JSON.parse(trimmed) as ReviewAnswer[];
  return trimmed.split("\n").filter((l) => l.trim()).map((line, i) => {
    try {
      return JSON.parse(line) as ReviewAnswer;
    } catch {
      throw new ReviewError(`${path}, line ${i + 1}: not JSON. Each line is one answer, e.g. {"action":"override","decision":"approve","reason":"income verified","reviewer":"ana"}`);
    }
  });
}

export class ReviewDesk {
  private readonly scripted: ReviewAnswer[] | undefined;
  private readonly byId = new Map<string, ReviewAnswer>();
  private next = 0;

  constructor(private readonly options: ReviewOptions, private readonly labels: Labels) {
    if (typeof options.when !== "function") throw new ReviewError("review.when must be a function (p, x) => boolean, e.g. (p) => p.confidence < 0.7 || p.flagged.");
    const source: AnswerSource | undefined = options.answers;
    if (typeof source === "string" || Array.isArray(source)) {
      const all = typeof source === "string" ? readAnswers(source) : source;
      this.scripted = all.filter((a) => !a.id);
      for (const a of all) if (a.id) this.byId.set(a.id, a);
    }
  }

  /** Blocked cases always go to a person; the rest as the policy says. */
  needs(p: Prediction, x: Row): boolean {
    return p.blocked || this.options.when(p, x);
  }

  /** The answer for a case, checked; undefined when nobody can answer it now (the case stays pending). */
  async answer(c: ReviewCase): Promise<ReviewAnswer | undefined> {
    const source = this.options.answers;
    let answer: ReviewAnswer | undefined;
    if (typeof source === "function") answer = await source(c);
    else if (this.scripted) answer = this.byId.get(c.id) ?? (c.key !== undefined ? this.byId.get(c.key) : undefined) ?? this.scripted[this.next++];
    else {
      const ask = this.options.ask ?? (globalThis as { input?: (prompt: string) => Promise<string> }).input;
      if (!ask) return undefined;
      answer = parseTyped(await askPerson(ask, c));
    }
    // No answer for this case (the file ran out, or none has its id): it waits in the queue for a person.
    return answer ? this.check(answer, c) : undefined;
  }

  /** Checks an answer against its case; an override gets its decision (the other one, if unnamed) and the default reviewer. */
  check(a: ReviewAnswer, c: ReviewCase): ReviewAnswer {
    const where = `The review answer for case ${c.id}${c.key ? ` (${c.key})` : ""}`;
    if (a.action !== "approve" && a.action !== "override") throw new ReviewError(`${where} has action ${JSON.stringify(a.action)}; use "approve" or "override".`);
    const reviewer = a.reviewer ?? this.options.reviewer;
    if (a.action === "approve") {
      if (c.prediction.blocked) throw new ReviewError(`${where} approves a blocked case; a blocked case needs an override with the decision to take and a reason.`);
      return { ...a, reviewer };
    }
    const decision = a.decision ?? (c.prediction.decision === this.labels.above ? this.labels.below : c.prediction.decision === this.labels.below ? this.labels.above : undefined);
    if (decision !== this.labels.above && decision !== this.labels.below) {
      throw new ReviewError(`${where} overrides without a valid decision (${JSON.stringify(a.decision)}); use "${this.labels.above}" or "${this.labels.below}".`);
    }
    if (!a.reason?.trim()) throw new ReviewError(`${where} overrides without a reason; overrides are recorded with who, when and why.`);
    return { ...a, decision, reviewer };
  }
}

function askPerson(ask: (prompt: string) => Promise<string>, c: ReviewCase): Promise<string> {
  const p = c.prediction;
  const why = c.fired.length ? `; rules: ${c.fired.map((f) => `${f.rule} (${f.effect})`).join(", ")}` : "";
  const prompt = `Review ${c.id}${c.key ? ` (${c.key})` : ""}: score ${p.score.toFixed(3)}, decision ${p.decision}${why}. Type "approve", or "override <decision> <reason>": `;
  return ask(prompt).catch((e: Error) => {
    throw new ReviewError(`${e.message}\nReview cannot ask here: pass review.answers (a file of scripted answers) for runs without a person.`);
  });
}

/** "approve [reason]" or "override [decision] reason" (also "a" and "o"). */
export function parseTyped(text: string): ReviewAnswer {
  const [word, ...rest] = text.trim().split(/\s+/);
  const w = (word ?? "").toLowerCase();
  if (w === "a" || w === "approve") return { action: "approve", reason: rest.join(" ") || undefined };
  if (w === "o" || w === "override") {
    const [decision, ...reason] = rest;
    return { action: "override", decision, reason: reason.join(" ") };
  }
  return { action: w as "approve" };
}
