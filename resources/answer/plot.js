// The answer page's plot: draws a plot spec (desktop_app.core.plots.PlotSpec.to_json()) with the
// plotly.js bundle that the `plotly` Python package ships, served from disk by the app — never
// from the network. Plotly is loaded on the first plot only, so the answer page starts as fast
// as before. If Plotly cannot load or draw, a plain text summary of the plot is shown instead.
//
//   QmathPlot.render(el, spec, theme?, options?) -> Promise<"plot" | "text">
//   QmathPlot.addSeries(el, series)              a series as core.plots.series_to_json gives it
//   QmathPlot.setTheme(el, theme)                "light" | "dark" | undefined (follow the page)
//   QmathPlot.showInputError(el, message)        under the function box, text only
//
// The box under the plot takes a function the user types; the page hands it to the app
// (options.onFunction(text, xRange), or a bubbling "qmathplot:function" event on `el`) and the
// app answers with addSeries or showInputError: parsing a typed formula safely is the app's job.
"use strict";

(function () {
  const PALETTE = {
    light: ["#1f6fd1", "#d1492f", "#2c9a4b", "#8a4fc9", "#c98a12", "#16909a"],
    dark: ["#6aa8ff", "#ff8a70", "#6fd08c", "#c39bff", "#f0b94a", "#5fd3dc"],
  };
  const COLOURS = {
    light: { fg: "#1d1d1f", muted: "#6e6e73", grid: "#e4e4e8", axis: "#9a9aa0", bg: "#ffffff",
             area: "rgba(31,111,209,0.22)", band: "rgba(44,154,75,0.13)", point: "#111111" },
    dark: { fg: "#e8e8ea", muted: "#9a9aa0", grid: "#34343a", axis: "#6e6e73", bg: "#1e1e20",
            area: "rgba(106,168,255,0.25)", band: "rgba(111,208,140,0.16)", point: "#f2f2f4" },
  };
  const DASH = { tangent: "dash", derivative: "dashdot", antiderivative: "dot" };
  const LOAD_TIMEOUT_MS = 20000;
  const state = new WeakMap();  // el -> { spec, theme, userSeries, options }
  let plotlyLoading = null;

  const QmathPlot = {
    /** Where the page serves plotly.min.js from (relative to the page). */
    plotlyUrl: "plotly/plotly.min.js",

    /** Draw `spec` into `el`; resolves "plot", or "text" when the text summary was shown. */
    render(el, spec, theme, options) {
      state.set(el, { spec, theme, userSeries: [], options: options || {} });
      el.classList.add("qmath-plot");
      el.replaceChildren();
      const area = document.createElement("div");
      area.className = "qmath-plot-area";
      area.style.width = "100%";
      area.style.height = "400px";
      el.append(area, functionBox(el));
      return loadPlotly().then(() => draw(el)).then(() => "plot").catch((err) => {
        console.error("plot fell back to text:", err && err.message ? err.message : err);
        area.replaceWith(fallback(spec));
        return "text";
      });
    },

    /** Add a sampled series (a function the user typed) to a drawn plot. */
    addSeries(el, series) {
      const entry = state.get(el);
      if (!entry) return;
      entry.userSeries.push(series);
      const area = el.querySelector(".qmath-plot-area");
      const colours = themeColours(entry.theme);
      const index = entry.spec.series.length + entry.userSeries.length - 1;
      if (area && window.Plotly && area.data) {
        window.Plotly.addTraces(area, seriesTrace(series, index, colours));
      }
      showInputError(el, "");
    },

    /** Switch light/dark (or back to following the page with undefined). */
    setTheme(el, theme) {
      const entry = state.get(el);
      if (!entry) return Promise.resolve();
      entry.theme = theme;
      return window.Plotly ? draw(el) : Promise.resolve();
    },

    showInputError(el, message) {
      showInputError(el, message);
    },
  };

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve();
    if (plotlyLoading) return plotlyLoading;
    plotlyLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      const timer = setTimeout(() => reject(new Error("plotly did not load in time")), LOAD_TIMEOUT_MS);
      script.src = QmathPlot.plotlyUrl;
      script.onload = () => {
        clearTimeout(timer);
        window.Plotly ? resolve() : reject(new Error("plotly loaded without defining Plotly"));
      };
      script.onerror = () => {
        clearTimeout(timer);
        reject(new Error("plotly could not be loaded"));
      };
      document.head.appendChild(script);
    }).catch((err) => {
      plotlyLoading = null;  // a later plot may try again
      throw err;
    });
    return plotlyLoading;
  }

  function themeName(theme) {
    if (theme === "light" || theme === "dark") return theme;
    const root = document.documentElement.classList;
    if (root.contains("dark")) return "dark";
    if (root.contains("light")) return "light";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function themeColours(theme) {
    const name = themeName(theme);
    return Object.assign({ name, palette: PALETTE[name] }, COLOURS[name]);
  }

  function draw(el) {
    const { spec, theme, userSeries } = state.get(el);
    const colours = themeColours(theme);
    const area = el.querySelector(".qmath-plot-area");
    const traces = [];
    spec.areas.forEach((a, i) => traces.push(...areaTraces(a, i, colours)));
    spec.series.forEach((s, i) => traces.push(seriesTrace(s, i, colours)));
    userSeries.forEach((s, i) => traces.push(seriesTrace(s, spec.series.length + i, colours)));
    if (spec.points.length) traces.push(pointsTrace(spec.points, colours, spec.x_range));
    el.dataset.theme = colours.name;
    return window.Plotly.react(area, traces, layout(spec, colours), config());
  }

  function seriesTrace(series, index, colours) {
    return {
      type: "scatter",
      mode: "lines",
      name: escapeHtml(series.name),
      x: series.x,
      // Sampling leaves float noise where a curve crosses zero (8.9e-16 at a root): a student
      // hovering there must read 0.
      y: series.y.map((v) => (v !== null && Math.abs(v) < 1e-10 ? 0 : v)),
      connectgaps: false,  // a null is a pole or a jump: never bridge it
      line: { color: colours.palette[index % colours.palette.length], width: 2.2,
              dash: DASH[series.role] || "solid" },
      hovertemplate: "(%{x:.4~g}, %{y:.4~g})<extra>" + escapeHtml(series.name) + "</extra>",
      meta: { role: series.role },
    };
  }

  /** Where each point's label goes: above, or below when the previous point's label is close. */
  function labelPositions(points, xRange) {
    const near = 0.15 * (xRange[1] - xRange[0]);
    const order = points.map((p, i) => i).sort((a, b) => points[a].x - points[b].x);
    const positions = new Array(points.length).fill("top right");
    for (let k = 1; k < order.length; k++) {
      const [before, here] = [order[k - 1], order[k]];
      if (points[here].x - points[before].x < near && positions[before] === "top right") {
        positions[here] = "bottom right";
      }
    }
    return positions;
  }

  function pointsTrace(points, colours, xRange) {
    return {
      type: "scatter",
      mode: "markers+text",
      name: "points",
      showlegend: false,
      x: points.map((p) => p.x),
      y: points.map((p) => p.y),
      text: points.map((p) => escapeHtml(p.label)),
      textposition: labelPositions(points, xRange),
      textfont: { color: colours.fg, size: 12 },
      marker: { color: colours.point, size: 8, line: { color: colours.bg, width: 1.5 } },
      hovertemplate: "%{text}<br>(%{x:.6~g}, %{y:.6~g})<extra></extra>",
      cliponaxis: false,
    };
  }

  /** A shaded area: one closed polygon per unbroken stretch (gaps split it). */
  function areaTraces(area, index, colours) {
    const pieces = [];
    let current = [];
    for (let i = 0; i < area.x.length; i++) {
      if (area.x[i] !== null && area.lower[i] !== null && area.upper[i] !== null) {
        current.push(i);
        continue;
      }
      if (current.length > 1) pieces.push(current);
      current = [];
    }
    if (current.length > 1) pieces.push(current);
    return pieces.map((piece, n) => {
      const back = piece.slice().reverse();
      return {
        type: "scatter",
        mode: "lines",
        name: escapeHtml(area.label),
        legendgroup: "area-" + index,
        showlegend: n === 0,
        x: piece.map((i) => area.x[i]).concat(back.map((i) => area.x[i])),
        y: piece.map((i) => area.upper[i]).concat(back.map((i) => area.lower[i])),
        fill: "toself",
        fillcolor: colours.area,
        line: { width: 0 },
        hoverinfo: "skip",
      };
    });
  }

  function layout(spec, colours) {
    const [x0, x1] = spec.x_range;
    const width = x1 - x0;
    const shapes = [];
    const annotations = [];
    for (const band of spec.bands) {
      const start = band.start === null ? x0 - 4 * width : band.start;
      const end = band.end === null ? x1 + 4 * width : band.end;
      shapes.push({ type: "rect", xref: "x", yref: "paper", x0: start, x1: end, y0: 0, y1: 1,
                    fillcolor: colours.band, line: { width: 0 }, layer: "below" });
      annotations.push({ xref: "x", yref: "paper", x: (Math.max(start, x0) + Math.min(end, x1)) / 2,
                         y: 1, yanchor: "bottom", showarrow: false, text: escapeHtml(band.label),
                         font: { color: colours.fg, size: 12 } });
    }
    for (const x of spec.asymptotes) {
      shapes.push({ type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1,
                    line: { color: colours.axis, width: 1, dash: "dash" }, layer: "below" });
    }
    const axis = { gridcolor: colours.grid, zerolinecolor: colours.axis, zerolinewidth: 1.2,
                   linecolor: colours.axis, tickcolor: colours.axis, automargin: true };
    const yaxis = Object.assign({ range: spec.y_range.slice() }, axis);
    const xaxis = Object.assign({ range: spec.x_range.slice(), title: { text: escapeHtml(spec.variable) } }, axis);
    if (spec.equal_axes) {  // a circle stays round: the plot area narrows rather than the data stretching
      Object.assign(yaxis, { scaleanchor: "x", scaleratio: 1 });
      xaxis.constrain = "domain";
    }
    return {
      title: { text: escapeHtml(spec.title), font: { size: 14, color: colours.fg } },
      paper_bgcolor: colours.bg,
      plot_bgcolor: colours.bg,
      font: { color: colours.fg, family: "system-ui, sans-serif" },
      margin: { l: 48, r: 16, t: 44, b: 36 },
      xaxis,
      yaxis,
      dragmode: "pan",
      hovermode: "closest",
      showlegend: true,
      // Below the plot, in a row: the answer pane is often narrow.
      legend: { orientation: "h", x: 0, xanchor: "left", y: -0.14, yanchor: "top",
                bgcolor: "rgba(0,0,0,0)", font: { color: colours.fg } },
      shapes,
      annotations,
    };
  }

  function config() {
    return {
      displaylogo: false,
      responsive: true,
      scrollZoom: true,
      doubleClick: "reset",  // back to the spec's window (autoscale would chase the bands)
      modeBarButtonsToRemove: ["toImage", "select2d", "lasso2d", "autoScale2d"],
    };
  }

  function functionBox(el) {
    const form = document.createElement("form");
    form.className = "qmath-plot-function";
    form.style.cssText = "display:flex;gap:6px;align-items:center;margin-top:6px";
    const input = document.createElement("input");
    input.type = "text";
    input.maxLength = 200;
    input.placeholder = "Add a function, e.g. x^2 - 3";
    input.setAttribute("aria-label", input.placeholder);
    input.style.cssText = "flex:1;min-width:0;font:inherit;color:inherit;background:transparent;" +
      "padding:3px 6px;border:1px solid rgba(128,128,128,0.6);border-radius:4px";
    const button = document.createElement("button");
    button.type = "submit";
    button.textContent = "Plot";
    button.style.cssText = "font:inherit;color:inherit;background:transparent;padding:3px 10px;" +
      "border:1px solid rgba(128,128,128,0.6);border-radius:4px";
    const error = document.createElement("div");
    error.className = "qmath-plot-error";
    error.setAttribute("role", "status");
    error.hidden = true;
    form.addEventListener("submit", (event) => {
      event.preventDefault();  // never navigate: the app answers through addSeries
      const text = input.value.trim();
      if (!text) return;
      const range = currentRange(el);
      const { options } = state.get(el);
      if (typeof options.onFunction === "function") {
        options.onFunction(text, range);
      } else {
        el.dispatchEvent(new CustomEvent("qmathplot:function", { bubbles: true, detail: { text, xRange: range } }));
      }
    });
    form.append(input, button);
    const box = document.createElement("div");
    box.append(form, error);
    return box;
  }

  function currentRange(el) {
    const area = el.querySelector(".qmath-plot-area");
    const range = area && area.layout && area.layout.xaxis && area.layout.xaxis.range;
    return range ? [Number(range[0]), Number(range[1])] : state.get(el).spec.x_range.slice();
  }

  function showInputError(el, message) {
    const error = el.querySelector(".qmath-plot-error");
    if (!error) return;
    error.textContent = message || "";
    error.hidden = !message;
  }

  /** What the plot would show, as text: for when Plotly cannot load or draw. */
  function fallback(spec) {
    const box = document.createElement("div");
    box.className = "qmath-plot-fallback";
    const title = document.createElement("p");
    title.textContent = spec.title;
    const list = document.createElement("ul");
    const line = (text) => {
      const item = document.createElement("li");
      item.textContent = text;
      list.append(item);
    };
    for (const series of spec.series) line(series.name);
    if (spec.points.length) line("Marked: " + spec.points.map((p) => p.label).join(", "));
    for (const band of spec.bands) line("Solution: " + band.label);
    for (const area of spec.areas) line(area.label);
    line(spec.variable + " from " + spec.x_range[0] + " to " + spec.x_range[1]);
    box.append(title, list);
    return box;
  }

  function escapeHtml(text) {
    // Plotly renders a small HTML subset in titles, names and labels: show model text as text.
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  window.QmathPlot = QmathPlot;
})();
