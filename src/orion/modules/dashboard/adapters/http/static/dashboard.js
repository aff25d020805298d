// Draws every <canvas data-chart> with Chart.js, from the figures the server put in the
// attribute (the same as in the table below each chart); again after htmx swaps content.
"use strict";
(function () {
  const COLOURS = ["#0b5cad", "#a40e26", "#116329", "#8250df", "#bc4c00", "#57606a"];

  function draw(canvas) {
    if (canvas.chart) { canvas.chart.destroy(); }
    const spec = JSON.parse(canvas.dataset.chart);
    const stacked = spec.type === "stacked";
    const horizontal = spec.type === "horizontal";
    const datasets = spec.series.map(function ([label, data], index) {
      const colour = COLOURS[index % COLOURS.length];
      return { label: label, data: data, borderColor: colour, backgroundColor: colour, tension: 0.2 };
    });
    canvas.chart = new window.Chart(canvas, {
      type: spec.type === "line" ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: datasets.length > 1 } },
        scales: { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true } },
      },
    });
  }

  function drawAll(root) {
    if (!window.Chart) { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
