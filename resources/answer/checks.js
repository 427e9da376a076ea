// The answer's checks on the page: a mark beside each checked step (a quiet tick, or a red
// mark whose counterexample opens on click), the summary line above the final answer, and
// the reason of the final answer's check on click. Reasons and formulas come from model
// output: they are only ever set as text, never parsed as HTML.
"use strict";

(function () {
  // The page's own words for the checks; the app sends them in the user's language.
  const labels = {
    why: "Show why",
    ok: "Step checked by SymPy",
    wrong: "Wrong step: show the counterexample",
  };
  let placed = new Map();  // where a formula was marked -> its mark (steps on one formula share it)

  const $ = (id) => document.getElementById(id);

  /** Replace the checks' words (text only). */
  window.setCheckLabels = function (texts) {
    for (const key of Object.keys(labels)) {
      if (texts && typeof texts[key] === "string") labels[key] = texts[key];
    }
  };

  function squash(text) {
    return String(text).split(/\s+/).filter(Boolean).join(" ");
  }

  /** A math element's TeX without its delimiters, spaces collapsed (as the app sends it). */
  function texOf(el) {
    const tex = (el.dataset.tex || el.textContent).trim();
    for (const [open, close] of [["\\[", "\\]"], ["\\(", "\\)"], ["$$", "$$"], ["$", "$"]]) {
      if (tex.startsWith(open) && tex.endsWith(close) && tex.length >= open.length + close.length) {
        return squash(tex.slice(open.length, tex.length - close.length));
      }
    }
    return squash(tex);
  }

  /** The nth occurrence of `text` in the block's prose (not in math, code or marks). */
  function findText(block, text, nth) {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, {
      acceptNode(node) {
        const skip = node.parentElement.closest(".math, code, pre, .step-mark, .step-note, .step-gutter");
        return skip ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      },
    });
    let seen = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      let from = 0;
      let at;
      while ((at = node.data.indexOf(text, from)) >= 0) {
        if (seen === nth) return { node, at };
        seen += 1;
        from = at + text.length;
      }
    }
    return null;
  }

  /** The element a step's mark goes beside, and whether the mark goes in a gutter above it. */
  function target(block, step) {
    if (typeof step.tex === "string") {
      const found = Array.from(block.querySelectorAll(".math")).filter((el) => texOf(el) === step.tex);
      if (found.length) {
        const el = found[Math.min(step.nth, found.length - 1)];
        return { el, gutter: el.classList.contains("display") };
      }
    } else if (typeof step.text === "string" && step.text) {
      const hit = findText(block, step.text, step.nth);
      if (hit) {
        const middle = hit.node.splitText(hit.at);
        middle.splitText(step.text.length);
        const span = document.createElement("span");
        span.className = "step-text";
        middle.replaceWith(span);
        span.append(middle);
        return { el: span, gutter: false };
      }
    }
    return { el: null, gutter: true };  // not found: a mark at the top of the block
  }

  function toggle(mark) {
    const open = mark.note.hidden;
    mark.note.hidden = !open;
    mark.button.setAttribute("aria-expanded", String(open));
    if (mark.gutter) mark.gutter.classList.toggle("open", open);
  }

  function makeMark(block, step) {
    const { el, gutter } = target(block, step);
    const button = document.createElement("button");
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    const note = document.createElement("span");
    note.className = "step-note";
    note.hidden = true;
    const mark = { el, button, note, gutter: null, steps: [] };
    button.addEventListener("click", () => toggle(mark));
    if (gutter) {
      const side = document.createElement("span");
      side.className = "step-gutter";
      side.append(button, note);
      if (el) el.before(side);
      else block.prepend(side);
      mark.gutter = side;
    } else {
      el.after(button, note);
    }
    return mark;
  }

  function render(mark) {
    const wrong = mark.steps.some((s) => s.verdict === "wrong");
    const verdict = wrong ? "wrong" : "ok";
    mark.button.className = "step-mark " + verdict;
    mark.button.title = labels[verdict];
    mark.button.setAttribute("aria-label", labels[verdict]);
    mark.note.className = "step-note " + verdict;
    const lines = mark.steps.filter((s) => s.verdict === verdict).map((s) => {
      const line = document.createElement("span");
      line.className = "step-reason";
      line.textContent = String(s.reason || "");
      return line;
    });
    mark.note.replaceChildren(...lines);
    if (mark.el) mark.el.classList.toggle("step-wrong", wrong);
    if (mark.gutter) mark.gutter.classList.toggle("wrong", wrong);
  }

  /** Mark checked steps in place: [{block, tex | text, nth, verdict, reason}, ...]. */
  window.addStepMarks = function (steps) {
    const blocks = $("blocks").querySelectorAll(":scope > div.block");
    for (const step of steps) {
      const block = blocks[step.block];
      if (!block || !["ok", "wrong"].includes(step.verdict)) continue;
      const key = [step.block, step.tex, step.text, step.nth].join("\u0000");
      let mark = placed.get(key);
      if (!mark || !mark.button.isConnected) {
        mark = makeMark(block, step);
        placed.set(key, mark);
      }
      mark.steps.push({ verdict: step.verdict, reason: step.reason });
      render(mark);
    }
  };

  /** The line above the final answer: "12 steps checked, 1 wrong" ("" hides it). */
  window.setStepSummary = function (text, wrong) {
    let line = $("step-summary");
    if (!line) {
      line = document.createElement("div");
      line.id = "step-summary";
      line.setAttribute("role", "status");
      $("final").before(line);
    }
    line.textContent = String(text || "");
    line.className = wrong > 0 ? "has-wrong" : "";
    line.hidden = !text;
  };

  /** Why the final answer was judged so, opened by clicking its check ("" for none). */
  window.setCheckReason = function (reason) {
    const box = $("final");
    const badge = box.querySelector(".final-check");
    const old = $("final-reason");
    if (old) old.remove();
    if (!badge || !reason) return;
    const note = document.createElement("div");
    note.id = "final-reason";
    note.className = "final-reason";
    note.textContent = String(reason);
    note.hidden = true;
    badge.classList.add("has-reason");
    badge.tabIndex = 0;
    badge.title = labels.why;
    badge.setAttribute("role", "button");
    badge.setAttribute("aria-controls", "final-reason");
    badge.setAttribute("aria-expanded", "false");
    const open = () => {
      note.hidden = !note.hidden;
      badge.setAttribute("aria-expanded", String(!note.hidden));
    };
    badge.addEventListener("click", open);
    badge.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        open();
      }
    });
    box.append(note);
  };

  const clearAnswer = window.clear;  // answer.js's: the marks go with the blocks they are in
  window.clear = function () {
    clearAnswer();
    placed = new Map();
    window.setStepSummary("", 0);
  };
})();
