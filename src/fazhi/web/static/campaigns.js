/* 部署/督导 pages: the widths of the lights bars on the campaign board (set through the CSSOM: the CSP
   allows no style attributes), and the as-of date forms submit when a date is picked. */
(function () {
  "use strict";
  function bars() {
    document.querySelectorAll(".light-bar").forEach(function (bar) {
      var total = parseInt(bar.dataset.total, 10) || 0;
      bar.querySelectorAll(".seg").forEach(function (seg) {
        var n = parseInt(seg.dataset.n, 10) || 0;
        seg.style.width = total ? (100 * n / total) + "%" : "0";
        seg.title = seg.className.indexOf("overdue") >= 0 ? "逾期 " + n : seg.className.indexOf("due_soon") >= 0 ? "临期 " + n : "正常 " + n;
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bars); else bars();
})();
