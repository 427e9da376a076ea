// The answer page. Python renders Markdown to safe HTML and calls appendBlocks/setTail;
// this file only places that HTML and asks MathJax to typeset the new math in it.
"use strict";

let resolveMathJax;
const mathJaxReady = new Promise((resolve) => { resolveMathJax = resolve; });

window.MathJax = {
  loader: { load: ["ui/safe"] },  // neutralises \href{javascript:..}, \style, \class tricks
  tex: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  svg: { fontCache: "global" },
  options: {
    // Only elements the renderer marked as math are ever scanned: "$5" in prose stays text.
    ignoreHtmlClass: "answer-root",
    processHtmlClass: "math",
    enableMenu: false,
    // No menu means no a11y/explorer/speech modules (and their fetches) either.
    menuOptions: { settings: { assistiveMml: false, explorer: false, collapsible: false } },
    safeOptions: {
      safeProtocols: { http: true, https: true, mailto: true, file: false, javascript: false, data: false },
    },
  },
  startup: {
    typeset: false,  // nothing to typeset before the first answer arrives
    ready() {
      MathJax.startup.defaultReady();
      MathJax.startup.promise.then(resolveMathJax);  // started, the page is ready: typeset now
    },
  },
};

(function () {
  let queue = Promise.resolve();  // typesetting jobs, strictly one after another
  let queuedJobs = 0;
  let mathJaxStarted = false;
  mathJaxReady.then(() => {
    mathJaxStarted = true;
    // The app's one signal from the page (AnswerPage reads it): MathJax has started, so
    // the page's functions are defined, its DOM is parsed and a formula typesets now.
    console.info("qmath:ready");
  });
  let tailJobQueued = false;
  let tailCache = new Map();  // TeX source -> typeset node, so a re-sent tail does not flicker
  let stickToBottom = true;

  const $ = (id) => document.getElementById(id);

  function untypesetMath(root) {
    return Array.from(root.querySelectorAll(".math:not(.typeset)"));
  }

  function reuseTypeset(root) {
    for (const el of untypesetMath(root)) {
      const node = tailCache.get(el.textContent);
      if (node) {
        el.dataset.tex = el.textContent;
        el.replaceChildren(node.cloneNode(true));
        el.classList.add("typeset");
      }
    }
  }

  function rememberTail() {
    const cache = new Map();
    for (const el of $("tail").querySelectorAll(".math.typeset")) {
      if (el.firstElementChild) cache.set(el.dataset.tex, el.firstElementChild);
    }
    tailCache = cache;
  }

  function enqueue(job) {
    queuedJobs += 1;
    queue = queue.then(() => mathJaxReady).then(job).catch((err) => {
      console.error("typeset failed:", err && err.message ? err.message : err);
    }).finally(() => { queuedJobs -= 1; });
  }

  function typesetNow(elements) {
    const math = elements.filter((el) => el.isConnected && !el.classList.contains("typeset"));
    if (!math.length) return Promise.resolve();
    for (const el of math) el.dataset.tex = el.textContent;
    return MathJax.typesetPromise(math).then(() => {
      for (const el of math) el.classList.add("typeset");
    }).finally(() => {
      MathJax.typesetClear();  // keep MathJax's item list empty: cost must not grow
      followBottom();
    });
  }

  function followBottom() {
    if (stickToBottom) window.scrollTo(0, document.documentElement.scrollHeight);
  }

  window.addEventListener("scroll", () => {
    const el = document.documentElement;
    stickToBottom = window.innerHeight + window.scrollY >= el.scrollHeight - 24;
  });

  // The page's own words; the app sends them in the user's language.
  const labels = { code: "Python code", output: "Output", final: "Final answer", copy: "Copy" };

  /** Replace the page's own words (text only). */
  window.setLabels = function (texts) {
    for (const key of Object.keys(labels)) {
      if (typeof texts[key] === "string") labels[key] = texts[key];
    }
  };

  /** TIR code and its output fold away under a summary line (open while reading). */
  function foldCode(root) {
    for (const code of root.querySelectorAll("pre > code.language-python, pre > code.language-output")) {
      const pre = code.parentElement;
      const output = code.classList.contains("language-output");
      const details = document.createElement("details");
      details.open = true;
      details.className = output ? "code-output" : "code-source";
      const summary = document.createElement("summary");
      summary.textContent = output ? labels.output : labels.code;
      pre.replaceWith(details);
      details.append(summary, pre);
    }
  }

  // For the page's other scripts (samples.js): fold code, typeset what they placed.
  window.foldCode = foldCode;

  /** Typeset the math inside `root` that is not typeset yet. */
  window.typesetWithin = function (root) {
    const math = untypesetMath(root);
    if (math.length) enqueue(() => typesetNow(math));
  };

  /** Append finished blocks; each is typeset once and never touched again. */
  window.appendBlocks = function (htmlList) {
    const blocks = $("blocks");
    const added = [];
    for (const html of htmlList) {
      const div = document.createElement("div");
      div.className = "block";
      div.innerHTML = html;
      foldCode(div);
      reuseTypeset(div);
      blocks.appendChild(div);
      added.push(...untypesetMath(div));
    }
    followBottom();
    if (added.length) enqueue(() => typesetNow(added));
  };

  /** Replace the unfinished tail; only its complete math is typeset. */
  window.setTail = function (html) {
    const tail = $("tail");
    tail.innerHTML = html;
    reuseTypeset(tail);
    rememberTail();
    followBottom();
    if (tailJobQueued || !untypesetMath(tail).length) return;
    tailJobQueued = true;  // one pending tail job is enough: it reads the tail when it runs
    enqueue(() => {
      tailJobQueued = false;
      return typesetNow(untypesetMath($("tail"))).then(rememberTail);
    });
  };

  /** Show the final answer, highlighted, with how it was checked (label is text only). */
  window.setFinal = function (html, label, kind) {
    const box = $("final");
    const value = document.createElement("div");
    value.className = "final-value";
    value.innerHTML = html;  // rendered and escaped by the app's Markdown renderer
    const badge = document.createElement("span");
    badge.className = "final-check " + (["verified", "contradicted"].includes(kind) ? kind : "unchecked");
    badge.textContent = label;
    const title = document.createElement("span");
    title.className = "final-title";
    title.textContent = labels.final;
    const copy = document.createElement("a");
    copy.className = "final-copy";
    copy.href = "action/copy-final";  // the app copies it: the page has no clipboard access
    copy.textContent = labels.copy;
    box.replaceChildren(title, value, badge, copy);
    box.hidden = false;
    const math = untypesetMath(box);
    if (math.length) enqueue(() => typesetNow(math));
    followBottom();
  };

  // A long answer dropped from the page leaves thousands of nodes and MathJax's objects as
  // garbage, which V8 collects lazily: back-to-back answers piled it up in this process (tens
  // of MB each). Where the app allows it (--expose-gc), the page collects once the old answer
  // is gone, as a last-resort collection, which also hands the emptied heap back to the
  // system: 50-100 ms of this page's own thread, while it is empty. A short preview is not
  // worth a collection.
  const COLLECT_AFTER_NODES = 400;
  const LAST_RESORT = { type: "major", execution: "sync", flavor: "last-resort" };

  function collectAfterDropping(nodes) {
    if (nodes >= COLLECT_AFTER_NODES && typeof window.gc === "function") {
      setTimeout(() => window.gc(LAST_RESORT), 0);
    }
  }

  /** Empty the page for a new answer. */
  window.clear = function () {
    const dropped = $("answer").getElementsByTagName("*").length;
    $("blocks").replaceChildren();
    $("tail").replaceChildren();
    $("final").replaceChildren();
    $("final").hidden = true;
    tailCache = new Map();
    window.setNotice("", "info");
    stickToBottom = true;
    collectAfterDropping(dropped);
  };

  /** Show a one-line notice above the answer (text only, never HTML); "" hides it. */
  window.setNotice = function (text, kind) {
    const notice = $("notice");
    notice.textContent = text;
    notice.className = ["info", "warning", "error"].includes(kind) ? kind : "info";
    notice.hidden = !text;
  };

  /** Light or dark colours; anything else follows the desktop's preference. */
  window.setTheme = function (name) {
    const root = document.documentElement;
    root.classList.remove("light", "dark");
    if (name === "light" || name === "dark") root.classList.add(name);
  };

  /** Whether MathJax has started and no typesetting is queued (for tests and screenshots). */
  window.typesetIdle = function () {
    return mathJaxStarted && queuedJobs === 0;
  };
})();
