// Analytics: draws the page's time series with uPlot (web/static/vendor/uplot/) from the JSON the
// server embedded (#analytics-data), in the page's colours, redrawn when the window is resized or
// the colour scheme changes. The table under the charts holds the same figures as text.
(function () {
  "use strict";
  const holder = document.getElementById("analytics-data");
  if (!holder || !window.uPlot) return;
  const data = JSON.parse(holder.textContent);
  const step = data.interval === "hour" ? 3600 : 86400;
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const plots = new Map();  // figure element -> its uPlot

  // A palette variable's colour as drawn now: the variables hold light-dark() pairs, which only
  // an element's computed colour resolves.
  const probe = document.createElement("span");
  probe.hidden = true;
  document.body.append(probe);
  const colour = (name) => { probe.style.color = `var(${name})`; return getComputedStyle(probe).color; };
  const pad = (n) => String(n).padStart(2, "0");

  function dayLabel(date) { return `${months[date.getUTCMonth()]} ${date.getUTCDate()}`; }

  // A bucket as the legend names it: "2026-11-30" or "2026-11-30 14:00" (UTC).
  function bucketLabel(seconds) {
    const iso = new Date(seconds * 1000).toISOString();
    return data.interval === "hour" ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
  }

  // Tick marks on whole buckets, as many as fit about every 72 px, on round hours or days.
  function ticks(width) {
    const fit = Math.max(2, Math.floor(width / 72));
    const choices = data.interval === "hour" ? [1, 2, 3, 4, 6, 12, 24, 48, 72, 168] : [1, 2, 3, 7, 14, 28, 56];
    const every = choices.find((n) => data.x.length / n <= fit) || choices[choices.length - 1];
    return data.x.filter((seconds) => Math.round(seconds / step) % every === 0);
  }

  function tickLabel(seconds) {
    const date = new Date(seconds * 1000);
    if (data.interval === "day" || (date.getUTCHours() === 0 && data.x.length > 24)) return dayLabel(date);
    return `${pad(date.getUTCHours())}:00`;
  }

  // One charted count: a line (the second one dashed, so equal counts still show both), or for a
  // bar chart a bar beside its neighbour. Away from the chart the legend gives the period's total.
  function seriesFor(chart, line, n) {
    const stroke = colour(`--chart-${line.key}`);
    const total = line.values.reduce((sum, v) => sum + v, 0);
    const shape = chart.kind === "bars"
      ? { fill: stroke, paths: window.uPlot.paths.bars({ size: [0.36, 28], align: n % 2 ? 1 : -1 }), points: { show: false } }
      : { ...(n === 1 ? { dash: [6, 4] } : {}), points: { size: 6, fill: colour("--surface") } };
    return {
      label: line.label, stroke, width: 2, ...shape,
      value: (u, v) => (v == null ? `${total.toLocaleString()} in all` : v.toLocaleString()),
    };
  }

  function options(chart, width) {
    const axis = {
      stroke: colour("--muted"), font: "12px system-ui, sans-serif",
      grid: { stroke: colour("--border"), width: 1 }, ticks: { stroke: colour("--border"), width: 1 },
    };
    return {
      width, height: width < 520 ? 210 : 260,
      scales: {
        x: { time: false, range: () => [data.x[0] - step / 2, data.x[data.x.length - 1] + step / 2] },
        y: { range: (u, min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] },
      },
      axes: [
        { ...axis, splits: (u) => ticks(u.width), values: (u, splits) => splits.map(tickLabel) },
        { ...axis, size: 48, incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 25000, 50000, 1e5, 2.5e5, 5e5, 1e6],
          values: (u, splits) => splits.map((v) => v.toLocaleString()) },
      ],
      series: [
        { label: data.interval === "hour" ? "Hour (UTC)" : "Day (UTC)",
          value: (u, v) => (v == null ? `${bucketLabel(data.x[0])} to ${bucketLabel(data.x[data.x.length - 1])}` : bucketLabel(v)) },
        ...chart.lines.map((line, n) => seriesFor(chart, line, n)),
      ],
      cursor: { drag: { x: false, y: false } },
    };
  }

  function draw(figure) {
    const chart = data.charts.find((c) => c.id === figure.dataset.chart);
    const area = figure.querySelector("[data-chart-area]");
    if (!chart || !area) return;
    const old = plots.get(figure);
    if (old) old.destroy();
    const columns = [data.x, ...chart.lines.map((line) => line.values)];
    plots.set(figure, new window.uPlot(options(chart, Math.max(200, area.clientWidth)), columns, area));
    const fallback = figure.querySelector("[data-chart-fallback]");
    if (fallback) fallback.hidden = true;
    figure.dataset.drawn = "1";
  }

  const figures = Array.from(document.querySelectorAll("[data-chart]"));
  figures.forEach(draw);

  // Follow the width of the chart's box (phones turning, windows resized).
  const resized = new ResizeObserver((entries) => {
    entries.forEach((entry) => {
      const figure = entry.target.closest("[data-chart]");
      const plot = plots.get(figure);
      const width = Math.max(200, Math.floor(entry.contentRect.width));
      if (plot && Math.abs(plot.width - width) > 1) plot.setSize({ width, height: width < 520 ? 210 : 260 });
    });
  });
  figures.forEach((figure) => resized.observe(figure.querySelector("[data-chart-area]")));

  // Colours come from the page's light or dark palette: redraw when the scheme changes.
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => figures.forEach(draw));
  window.addEventListener("gclap:theme", () => figures.forEach(draw));
})();
