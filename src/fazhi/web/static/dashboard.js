/* fazhi dashboard charts: plotly.js from the installed plotly package (/vendor/plotly.min.js).
   Without it (or without JavaScript) the tables inside each chart box stay. */
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || !window.Plotly) { return; }
  var data;
  try { data = JSON.parse(node.textContent); } catch (e) { return; }
  var RED = "#8b1a1a";
  var FONT = {family: "Noto Sans CJK SC, Microsoft YaHei, sans-serif", size: 12};
  var CONFIG = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"]};
  var layout = function (extra) {
    var l = {margin: {l: 40, r: 10, t: 8, b: 36}, height: 200, font: FONT, paper_bgcolor: "#fff", plot_bgcolor: "#fff"};
    Object.keys(extra || {}).forEach(function (k) { l[k] = extra[k]; });
    return l;
  };
  var plot = function (id, traces, extra) {
    var div = document.getElementById(id);
    if (!div) { return; }
    div.replaceChildren();
    // the charts' toolbars stay for the mouse but out of the Tab order: a keyboard user reaches the
    // reports below without passing a dozen toolbar buttons per chart
    var untab = function () {
      div.querySelectorAll("a, button, input, [tabindex]").forEach(function (n) { n.setAttribute("tabindex", "-1"); });
    };
    var made = window.Plotly.newPlot(div, traces, layout(extra), CONFIG);
    untab();
    if (made && made.then) { made.then(untab); }
    if (div.on) { div.on("plotly_afterplot", untab); }
    div.classList.add("plotted");
    div.dataset.plotted = "1";
  };
  var RANK_LABEL_CHARS = 14;  // longer unit names are shortened on the ranking's axis (whole when hovered)
  // text from reports goes into plotly's labels, which read a few HTML tags: show it as text
  var esc = function (s) {
    return String(s === null || s === undefined ? "" : s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  };
  var shorten = function (s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "…" : s; };
  var col = function (pairs, i) { return pairs.map(function (p) { return p[i] === null ? "未识别" : p[i]; }); };

  plot("chart-years", [{type: "bar", x: col(data.by_year, 0).map(String), y: col(data.by_year, 1), marker: {color: RED}}],
       {xaxis: {type: "category"}});
  plot("chart-levels", [{type: "bar", x: col(data.by_level, 0), y: col(data.by_level, 1), marker: {color: "#b55"}}]);
  var regions = data.by_region.slice().reverse();
  plot("chart-regions", [{type: "bar", orientation: "h", y: col(regions, 0).map(esc), x: col(regions, 1), marker: {color: "#c77"}}],
       {margin: {l: 8, r: 12, t: 8, b: 30}, yaxis: {automargin: true}});
  var parts = ["achievements", "shortcomings", "first_responsible", "next_year_plan"];
  var partNames = {achievements: "举措和成效", shortcomings: "不足和原因", first_responsible: "第一责任人履职", next_year_plan: "下一年度安排"};
  var statuses = [["dedicated", "单列", "#1a7f37"], ["embedded", "散见", "#d9a400"], ["missing", "缺失", "#c62828"]];
  plot("chart-parts", statuses.map(function (s) {
    return {type: "bar", name: s[1], marker: {color: s[2]}, x: parts.map(function (p) { return partNames[p]; }),
            y: parts.map(function (p) { return (data.parts[p] || {})[s[0]] || 0; })};
  }), {barmode: "stack", legend: {orientation: "h", y: 1.15}});
  var d = data.distribution || {};
  if (d.values && d.values.length) {
    plot("chart-dist", [{type: "box", x: d.values, name: d.unit || "", boxpoints: "all", jitter: 0.4, pointpos: 0,
                         marker: {color: RED, size: 5}, line: {color: RED}}],
         {height: 260, xaxis: {title: {text: (d.name || "") + (d.unit ? "（" + d.unit + "）" : "")}}, yaxis: {visible: false}});
    // the 15 highest, best on top; one bar per report (positions, not names: two reports of one unit and
    // year stay two bars); long unit names shortened on the axis, whole in the hover label
    var rank = (d.ranking || []).slice(0, 15).reverse();
    var pos = rank.map(function (r, i) { return i; });
    var unitName = function (r) { return (r.issuer || "未识别") + (r.year ? " " + r.year : ""); };
    plot("chart-rank", [{type: "bar", orientation: "h", y: pos, x: rank.map(function (r) { return r.value; }),
                         marker: {color: "#b55"}, customdata: rank.map(function (r) { return r.report_id; }),
                         hovertext: rank.map(function (r) {
                           return esc(unitName(r)) + "<br>" + esc(r.value) + esc(d.unit || "") + (r.approx ? "（约数）" : "");
                         }),
                         hovertemplate: "%{hovertext}<extra></extra>"}],
         {height: Math.max(260, 22 * rank.length + 46), margin: {l: 8, r: 12, t: 8, b: 30}, bargap: 0.3,
          yaxis: {tickmode: "array", tickvals: pos, automargin: true, fixedrange: true,
                  ticktext: rank.map(function (r) {
                    return esc(shorten(r.issuer || "未识别", RANK_LABEL_CHARS) + (r.year ? " " + r.year : ""));
                  })}});
    var rankDiv = document.getElementById("chart-rank");
    if (rankDiv && rankDiv.on) {
      rankDiv.on("plotly_click", function (ev) {
        var p = ev.points && ev.points[0];
        if (p && p.customdata) { window.location.href = "/reports/" + encodeURIComponent(p.customdata); }
      });
    }
  }
  if (data.scores && data.scores.length) {
    plot("chart-scores", [{type: "histogram", x: data.scores, xbins: {start: 0, end: 100, size: 5}, marker: {color: RED}}],
         {xaxis: {range: [0, 100], title: {text: "得分"}}});
  }
  document.body.dataset.charts = "ready";
})();
