// Self-consistency on the answer page: while the samples run, how many have finished; then
// the majority answer with its share of the vote, and every sample folded away. A sample's
// text is placed and typeset only when it is first opened: sixteen long solutions of math
// would otherwise keep MathJax busy for seconds. All HTML comes rendered and escaped by the
// app's Markdown renderer; labels are text only.
"use strict";

(function () {
  const section = document.createElement("section");
  section.id = "samples";
  section.hidden = true;
  const progress = part("div", "samples-progress");
  const bar = document.createElement("progress");
  const progressText = part("span", "samples-progress-text");
  progress.append(bar, progressText);
  const vote = part("div", "samples-vote");
  const list = part("div", "samples-list");
  section.append(progress, vote, list);

  function part(tag, className) {
    const el = document.createElement(tag);
    el.className = className;
    return el;
  }

  function attach() {
    const answer = document.getElementById("answer");
    if (answer && !section.isConnected) answer.appendChild(section);  // below the final answer
  }

  function typeset(root) {
    if (typeof window.typesetWithin === "function") window.typesetWithin(root);
  }

  function html(el, markup) {
    el.innerHTML = markup;  // rendered and escaped by the app's Markdown renderer
    return el;
  }

  /** While the samples run: "3 of 8 samples finished" (text only) and a bar. */
  window.setSampleProgress = function (finished, total, text) {
    attach();
    bar.max = Math.max(1, total);
    bar.value = Math.min(finished, total);
    progressText.textContent = text;
    progress.hidden = false;
    section.hidden = false;
  };

  /** The vote and every sample; `data` = {label, answer, share, samples: [{title, answer,
   *  note, body, majority}]}, where answer and body are HTML and the rest text. */
  window.setSamples = function (data) {
    attach();
    progress.hidden = true;
    const label = part("span", "samples-vote-label");
    label.textContent = data.label;
    const share = part("span", "samples-vote-share");
    share.textContent = data.share;
    vote.replaceChildren(label, html(part("span", "samples-vote-answer"), data.answer || ""), share);
    list.replaceChildren();
    data.samples.forEach((sample, index) => {
      const details = part("details", sample.majority ? "sample majority" : "sample");
      details.dataset.index = String(index);
      const summary = document.createElement("summary");
      const title = part("span", "sample-title");
      title.textContent = sample.title;
      const note = part("span", "sample-note");
      note.textContent = sample.note || "";
      summary.append(title, html(part("span", "sample-answer"), sample.answer), note);
      const body = part("div", "sample-body");
      details.append(summary, body);
      details.addEventListener("toggle", () => {
        if (!details.open || body.childElementCount) return;
        html(body, sample.body);
        if (typeof window.foldCode === "function") window.foldCode(body);
        typeset(body);
      });
      list.appendChild(details);
    });
    section.hidden = false;
    typeset(section);  // the answers in the vote and the summaries: a few small formulas
  };

  /** No samples: a plain answer, or a new one starting. */
  window.clearSamples = function () {
    vote.replaceChildren();
    list.replaceChildren();
    progress.hidden = true;
    section.hidden = true;
  };

  // A new answer clears the page, the samples with it.
  const clearPage = window.clear;
  window.clear = function () {
    clearPage();
    window.clearSamples();
  };
})();
