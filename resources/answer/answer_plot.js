// The answer page's plot, under the final answer: plot.js (QmathPlot) draws the spec the app
// sends, and a function the user types goes to the app as a page action (the app samples it
// in its checker process and answers with addPlotSeries or showPlotError). The plot follows the
// page's light/dark theme by itself.
"use strict";

(function () {
  let host = null;  // the plot's element, under #final; null while no plot is shown
  // The page's own words; the app sends them in the user's language (setPlotLabels).
  const labels = { placeholder: "Add a function, e.g. x^2 - 3", button: "Plot", plot: "Plot" };

  /** Replace the plot's own words (text only). */
  window.setPlotLabels = function (texts) {
    for (const key of Object.keys(labels)) {
      if (typeof texts[key] === "string") labels[key] = texts[key];
    }
  };

  function applyLabels(el) {
    const input = el.querySelector(".qmath-plot-function input");
    const button = el.querySelector(".qmath-plot-function button");
    if (input) {
      input.placeholder = labels.placeholder;
      input.setAttribute("aria-label", labels.placeholder);
    }
    if (button) button.textContent = labels.button;
  }

  function place() {
    if (host) return host;
    host = document.createElement("section");
    host.id = "plot";
    host.className = "answer-plot";
    host.setAttribute("aria-label", labels.plot);
    const final = document.getElementById("final");
    final.parentNode.insertBefore(host, final.nextSibling);
    return host;
  }

  /** The user typed a function: ask the app over the page's action channel (never eval). */
  function askApp(text, xRange) {
    const area = host && host.querySelector(".qmath-plot-area");
    const yaxis = area && area.layout && area.layout.yaxis;
    const request = {
      text,
      x_range: xRange,
      y_range: yaxis && yaxis.range ? [Number(yaxis.range[0]), Number(yaxis.range[1])] : null,
    };
    const link = document.createElement("a");
    link.href = "action/plot-function/" + encodeURIComponent(JSON.stringify(request));
    link.click();  // the app handles qmath://answer/action/...; the page never navigates
  }

  /** Draw a plot (core.plots' PlotSpec.to_json()) under the answer, replacing any other. */
  window.showPlot = function (spec) {
    const el = place();
    el.dataset.state = "loading";
    const drawn = QmathPlot.render(el, spec, undefined, { onFunction: askApp });
    applyLabels(el);  // render has built the function box by now
    return drawn.then((outcome) => {
      if (el === host) el.dataset.state = outcome;  // "plot", or "text" without plotly.js
    });
  };

  /** A function the user typed, sampled by the app (core.plots' series_to_json()). */
  window.addPlotSeries = function (series) {
    if (host) QmathPlot.addSeries(host, series);
  };

  /** Why a typed function cannot be drawn: one sentence under the box (text only). */
  window.showPlotError = function (message) {
    if (host) QmathPlot.showInputError(host, message);
  };

  /** Remove the plot (a new answer, another conversation). */
  window.clearPlot = function () {
    if (host) host.remove();
    host = null;
  };

  function followTheme() {
    if (host && host.dataset.state === "plot") QmathPlot.setTheme(host, undefined);
  }
  // answer.js's setTheme changes the root's class; "system" follows the desktop's preference.
  new MutationObserver(followTheme).observe(document.documentElement,
    { attributes: true, attributeFilter: ["class"] });
  if (window.matchMedia) {
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", followTheme);
  }
})();
