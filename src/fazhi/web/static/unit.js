/* fazhi unit page (单位历年情况): one small line chart per core indicator, plotly.js from the installed
   plotly package (/vendor/plotly.min.js).  Without it (or without JavaScript) the tables stay. */
(function () {
  "use strict";
  var node = document.getElementById("unit-data");
  if (!node || !window.Plotly) { return; }
  var data;
  try { data = JSON.parse(node.textContent); } catch (e) { return; }
  var RED = "#8b1a1a";
  var FONT = {family: "Noto Sans CJK SC, Microsoft YaHei, sans-serif", size: 12};
  // report text goes into plotly's labels, which read a few HTML tags: show it as text
  var esc = function (s) {
    return String(s === null || s === undefined ? "" : s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  };
  var years = data.years.map(String);
  data.trends.forEach(function (t) {
    var div = document.getElementById("trend-" + t.id);
    var points = t.points.filter(function (p) { return p.comparable; });
    if (!div || !points.length) { return; }
    var at = {};
    points.forEach(function (p) { at[String(p.year)] = p; });
    var shown = years.map(function (y) { return at[y] || null; });
    div.replaceChildren();
    window.Plotly.newPlot(div, [{
      type: "scatter", mode: "lines+markers", x: years, connectgaps: false,
      y: shown.map(function (p) { return p ? p.value : null; }),
      customdata: shown.map(function (p) { return p ? p.report_id + ":" + p.start + "-" + p.end : null; }),
      hovertext: shown.map(function (p) {
        return p ? esc(p.year + "年：" + (p.approx ? "约" : "") + p.value + (p.unit || "")) + "<br>" + esc(p.text) : "";
      }),
      hovertemplate: "%{hovertext}<extra></extra>", line: {color: RED}, marker: {color: RED, size: 7}
    }], {
      height: 180, margin: {l: 48, r: 12, t: 8, b: 28}, font: FONT, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
      xaxis: {type: "category", fixedrange: true}, yaxis: {rangemode: "tozero", fixedrange: true}, showlegend: false
    }, {displayModeBar: false, responsive: true});
    if (div.on) {
      div.on("plotly_click", function (ev) {
        var p = ev.points && ev.points[0];
        if (!p || !p.customdata) { return; }
        var parts = String(p.customdata).split(":");
        window.location.href = "/reports/" + encodeURIComponent(parts[0]) + "?hl=" + encodeURIComponent(parts[1]) + "#hl";
      });
    }
    div.classList.add("plotted");
    div.dataset.plotted = "1";
  });
  document.body.dataset.charts = "ready";
})();
