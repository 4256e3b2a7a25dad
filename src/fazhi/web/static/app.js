/* fazhi web: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var CSRF = csrfMeta ? csrfMeta.getAttribute("content") : "";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}}).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return {status: r.status, body: body}; });
    });
  }

  /* ------------------------------------------------------------ the menu (narrow screens): 菜单 opens it */
  var topbar = document.querySelector("header.topbar");
  var menuButton = document.getElementById("menu-toggle");
  var menu = document.getElementById("topbar-menu");
  if (topbar && menuButton && menu) {
    var setMenu = function (open) {
      menu.classList.toggle("open", open);
      menuButton.setAttribute("aria-expanded", open ? "true" : "false");
      menuButton.textContent = open ? "收起菜单" : "菜单";
    };
    menuButton.hidden = false;
    topbar.classList.add("has-menu");
    menuButton.addEventListener("click", function () { setMenu(!menu.classList.contains("open")); });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && menu.classList.contains("open")) { setMenu(false); menuButton.focus(); }
    });
  }

  /* skip links: focus where they lead (a data-focus link: its first match, e.g. the first report) */
  document.querySelectorAll("a.skip-link").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      var target = (a.dataset.focus && document.querySelector(a.dataset.focus)) ||
        document.getElementById(a.getAttribute("href").slice(1));
      if (!target) { return; }
      ev.preventDefault();
      if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
      target.scrollIntoView({block: "start"});
    });
  });

  /* ------------------------------------------------------------ 打印 */
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });

  /* ------------------------------------------------------------ the source of a value: tap, click or focus
     (a[data-source]: the sentence a value comes from; hovering shows it as the title, a tap or the keyboard
     shows it in a box with a link to the report) */
  var tip = null, tipFor = null;
  var hideTip = function () {
    if (tip) { tip.remove(); }
    tip = null; tipFor = null;
  };
  var showTip = function (a) {
    hideTip();
    tip = el("div", "source-tip");
    tip.id = "source-tip";
    tip.setAttribute("role", "tooltip");
    tip.appendChild(el("div", "source-text", "原文：" + a.dataset.source));
    var open = el("a", "open", "打开报告并高亮 →");
    open.href = a.href;
    tip.appendChild(open);
    document.body.appendChild(tip);
    var r = a.getBoundingClientRect();
    var left = Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(window.scrollX + 8, left) + "px";
    tip.style.top = (window.scrollY + r.bottom + 4) + "px";
    a.setAttribute("aria-describedby", "source-tip");
    tipFor = a;
  };
  var touched = false;
  document.addEventListener("pointerdown", function (ev) { touched = ev.pointerType === "touch" || ev.pointerType === "pen"; }, true);
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a[data-source]") : null;
    if (tip && !(ev.target.closest && ev.target.closest(".source-tip")) && a !== tipFor) { hideTip(); }
    if (!a) { return; }
    // on a touch screen the first tap shows the source, the second opens the report
    if (touched && a !== tipFor) { ev.preventDefault(); showTip(a); }
  });
  document.addEventListener("focusin", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a[data-source]") : null;
    if (a && a !== tipFor && !touched) { showTip(a); }
  });
  document.addEventListener("focusout", function () {
    window.setTimeout(function () {
      var now = document.activeElement;
      if (tip && !touched && now !== tipFor && !(now && now.closest && now.closest(".source-tip"))) { hideTip(); }
    }, 0);
  });
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && tip) { hideTip(); } });

  /* ------------------------------------------------------------ 规则与指标 settings: the weights' sum, the
     catalogue's filter */
  var weights = document.querySelectorAll("#weights-table input.in-weight");
  var total = document.getElementById("weight-total");
  if (weights.length && total) {
    var sum = function () {
      var t = 0;
      weights.forEach(function (w) { var v = parseFloat(w.value); if (isFinite(v)) { t += v; } });
      total.textContent = String(Math.round(t * 100) / 100);
    };
    weights.forEach(function (w) { w.addEventListener("input", sum); });
  }
  var catFilter = document.getElementById("catalogue-filter");
  if (catFilter) {
    catFilter.hidden = false;
    catFilter.addEventListener("input", function () {
      var q = catFilter.value.trim();
      document.querySelectorAll("#catalogue details.catalogue-group").forEach(function (g) {
        var shown = 0;
        g.querySelectorAll("tr[data-indicator]").forEach(function (tr) {
          var on = !q || tr.textContent.indexOf(q) >= 0 || tr.dataset.indicator.indexOf(q) >= 0;
          tr.hidden = !on; if (on) { shown += 1; }
        });
        g.hidden = shown === 0;
        if (q) { g.open = shown > 0; }
      });
    });
  }

  /* forms that ask first */
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    if (f && f.dataset && f.dataset.confirm && !window.confirm(f.dataset.confirm)) { ev.preventDefault(); }
  });

  /* ------------------------------------------------------------ report lists: pick reports for the zip */
  var bulk = document.getElementById("bulk-form");
  if (bulk) {
    var all = document.getElementById("pick-all");
    var button = document.getElementById("bulk-download");
    var note = document.getElementById("bulk-note");
    var picks = function () { return Array.prototype.slice.call(bulk.querySelectorAll("input.pick-one")); };
    var noteText = note ? note.textContent : "";
    var sync = function () {
      var boxes = picks();
      var n = boxes.filter(function (b) { return b.checked; }).length;
      button.disabled = n === 0;
      bulk.dataset.picked = String(n);
      if (all) { all.checked = n > 0 && n === boxes.length; all.indeterminate = n > 0 && n < boxes.length; }
      if (note) { note.textContent = n ? "已选 " + n + " 份。" + noteText : noteText; }
    };
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        picks().forEach(function (b) { b.checked = all.checked; });
        sync();
      });
    }
    bulk.addEventListener("change", function (ev) { if (ev.target !== all) { sync(); } });
    sync();
  }

  /* ------------------------------------------------------------ review page: highlight a sentence */
  var text = document.getElementById("report-text");
  if (text) {
    var segs = Array.prototype.slice.call(text.querySelectorAll(".seg")).map(function (s) {
      return {el: s, s: +s.dataset.s, e: +s.dataset.e};
    });
    var highlight = function (start, end, link) {
      var first = null;
      segs.forEach(function (g) {
        var on = g.s >= start && g.e <= end;
        g.el.classList.toggle("hl", on);
        if (on && !first) { first = g.el; }
      });
      document.querySelectorAll(".fact-link.active, .evidence-link.active, .quantity-link.active").forEach(function (a) {
        a.classList.remove("active");
      });
      if (link) { link.classList.add("active"); }
      text.dataset.highlight = start + "-" + end;
      if (first) {
        var top = first.offsetTop - text.offsetTop - text.clientHeight / 3;
        text.scrollTop = Math.max(0, top);
        if (first.getBoundingClientRect().top < 0 || first.getBoundingClientRect().bottom > window.innerHeight) {
          first.scrollIntoView({block: "center"});
        }
      }
    };
    document.addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest(".fact-link, .evidence-link, .quantity-link") : null;
      if (!a || !a.dataset.start) { return; }
      ev.preventDefault();
      highlight(+a.dataset.start, +a.dataset.end, a);
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "?hl=" + a.dataset.start + "-" + a.dataset.end);
      }
    });
    document.querySelectorAll(".outline-link").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        var target = document.getElementById("at-" + a.dataset.start);
        if (!target) { return; }
        ev.preventDefault();
        text.scrollTop = Math.max(0, target.offsetTop - text.offsetTop - 8);
        target.scrollIntoView({block: "start"});
      });
    });
    var cur = text.querySelector(".seg.hl");
    if (cur) { text.scrollTop = Math.max(0, cur.offsetTop - text.offsetTop - text.clientHeight / 3); }
  }

  /* ------------------------------------------------------------ similar reports (review page, dashboard) */
  function passageNode(ps) {
    var box = el("div", "passage " + (ps.boilerplate ? "boilerplate" : "copied"));
    var a = el("div", "side"); a.appendChild(el("p", null, ps.a && ps.a.text));
    var b = el("div", "side"); b.appendChild(el("p", null, ps.b && ps.b.text));
    box.appendChild(a); box.appendChild(b);
    box.appendChild(el("small", "muted", (ps.boilerplate ? "套话（多家共用）" : "共有段落") + " · " + ps.chars + " 字"));
    return box;
  }
  function reportLink(id, label) {
    var a = el("a", null, label); a.href = "/reports/" + encodeURIComponent(id); return a;
  }
  function loadPanel(panel, render) {
    var body = panel.querySelector(".similar-body, .pairs-body");
    if (!body || !panel.dataset.src) { return; }
    body.replaceChildren(el("p", "muted", "正在比对…"));
    getJSON(panel.dataset.src).then(function (r) {
      body.replaceChildren();
      panel.dataset.status = String(r.status);
      if (r.status !== 200) {
        body.appendChild(el("p", "muted", (r.body && r.body.detail) || ("无法加载（" + r.status + "）")));
        return;
      }
      render(body, r.body);
    }).catch(function () { body.replaceChildren(el("p", "muted", "无法加载相似报告")); });
  }
  var simPanel = document.getElementById("similar-panel");
  if (simPanel) {
    loadPanel(simPanel, function (body, data) {
      var list = data.similar || [];
      if (!list.length) { body.appendChild(el("p", "muted", "没有相似的报告。")); return; }
      list.forEach(function (m) {
        var box = el("div", "match"); box.dataset.reportId = m.report_id;
        var h = el("h3"); h.appendChild(reportLink(m.report_id, m.title || m.label));
        h.appendChild(el("small", null, " " + (m.issuer || "") + " " + (m.year || "")));
        h.appendChild(el("span", "badge", "相似度 " + Math.round(m.similarity * 100) + "%"));
        box.appendChild(h);
        (m.passages || []).slice(0, 3).forEach(function (ps) { box.appendChild(passageNode(ps)); });
        body.appendChild(box);
      });
    });
  }
  var pairsPanel = document.getElementById("similar-pairs");
  if (pairsPanel) {
    loadPanel(pairsPanel, function (body, data) {
      var list = data.pairs || [];
      if (!list.length) { body.appendChild(el("p", "muted", "没有近似重复的报告对。")); return; }
      list.slice(0, 5).forEach(function (d) {
        var box = el("div", "pair"); box.dataset.a = d.a; box.dataset.b = d.b;
        var h = el("h3");
        h.appendChild(reportLink(d.a, (d.a_info.issuer || d.a) + " " + (d.a_info.year || "")));
        h.appendChild(document.createTextNode(" ↔ "));
        h.appendChild(reportLink(d.b, (d.b_info.issuer || d.b) + " " + (d.b_info.year || "")));
        h.appendChild(el("span", "badge", "相似度 " + Math.round(d.similarity * 100) + "%"));
        box.appendChild(h);
        (d.passages || []).slice(0, 2).forEach(function (ps) { box.appendChild(passageNode(ps)); });
        body.appendChild(box);
      });
      var more = el("p"); more.appendChild(reportLink("", "全部相似报告对")); more.firstChild.href = "/similar";
      body.appendChild(more);
    });
  }

  /* ------------------------------------------------------------ upload: drag and drop, progress per file */
  var form = document.getElementById("upload-form");
  if (form && window.FormData && window.XMLHttpRequest) {
    var input = document.getElementById("upload-input");
    var zone = document.getElementById("dropzone");
    var list = document.getElementById("upload-list");
    var summary = document.getElementById("upload-summary");
    var submit = document.getElementById("upload-submit");
    var maxFile = +form.dataset.maxFile || 0;
    var queue = [], running = 0, done = 0, ok = 0, failed = 0, total = 0;
    var CONCURRENCY = 2;
    if (submit) { submit.hidden = true; }
    var update = function () {
      summary.textContent = total ? ("已完成 " + done + " / " + total + "：成功 " + ok + "，失败 " + failed) : "";
      summary.dataset.done = String(done); summary.dataset.total = String(total);
    };
    var finish = function (item, success, message, report) {
      item.li.classList.remove("uploading");
      item.li.classList.add(success ? "done" : "failed");
      item.li.dataset.status = success ? "done" : "failed";
      item.progress.value = 100;
      item.status.textContent = success ? message : "失败";
      item.detail.replaceChildren();
      if (report) {
        item.li.dataset.reportId = report.id;
        var a = el("a", "report-link", report.title || "（无标题）");
        a.href = "/reports/" + encodeURIComponent(report.id);
        item.detail.appendChild(a);
        if (report.issuer) { item.detail.appendChild(document.createTextNode(" · " + report.issuer)); }
      } else if (!success) {
        item.detail.appendChild(el("span", "error upload-error", message));
      }
      done += 1; if (success) { ok += 1; } else { failed += 1; }
      running -= 1; update(); pump();
    };
    var send = function (item) {
      running += 1;
      item.li.dataset.status = "uploading"; item.li.classList.add("uploading");
      item.status.textContent = "上传中…";
      var fd = new FormData();
      fd.append("files", item.file, item.file.name);
      var xhr = new XMLHttpRequest();
      var force = document.getElementById("upload-force");
      xhr.open("POST", "/api/reports?brief=1" + (force && force.checked ? "&force=1" : ""));
      xhr.setRequestHeader("X-CSRF-Token", CSRF);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { item.progress.value = Math.round(90 * e.loaded / e.total); }
      };
      xhr.upload.onload = function () { item.status.textContent = "审查中…"; item.li.dataset.status = "reviewing"; };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        var r = body && body.results && body.results[0];
        if (r && r.ok) { finish(item, true, r.status === "created" ? "已入库" : "已存在", r); }
        else if (r) { finish(item, false, r.error || "失败"); }
        else { finish(item, false, (body && body.detail) ? String(body.detail) : ("上传失败（" + xhr.status + "）")); }
      };
      xhr.onerror = function () { finish(item, false, "网络错误，上传未完成"); };
      xhr.send(fd);
    };
    var pump = function () {
      while (running < CONCURRENCY && queue.length) { send(queue.shift()); }
    };
    var add = function (files) {
      Array.prototype.forEach.call(files, function (file) {
        var li = el("li", "upload-item");
        li.dataset.fileName = file.name; li.dataset.status = "queued";
        var name = el("span", "file-name", file.name);
        var progress = el("progress"); progress.max = 100; progress.value = 0;
        var status = el("span", "upload-status", "排队中");
        var detail = el("span", "upload-detail");
        var wrap = el("span"); wrap.appendChild(progress); wrap.appendChild(document.createTextNode(" ")); wrap.appendChild(status);
        li.appendChild(name); li.appendChild(wrap); li.appendChild(detail);
        list.appendChild(li);
        var item = {file: file, li: li, progress: progress, status: status, detail: detail};
        total += 1;
        if (maxFile && file.size > maxFile) {
          running += 1;
          finish(item, false, "文件过大（" + (file.size / 1048576).toFixed(1) + " MB，上限 " + (maxFile / 1048576).toFixed(1) + " MB）");
          return;
        }
        queue.push(item);
      });
      update(); pump();
    };
    input.addEventListener("change", function () { add(input.files); input.value = ""; });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); if (input.files.length) { add(input.files); input.value = ""; } });
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (ev) { ev.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function (ev) { ev.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (ev) { if (ev.dataTransfer && ev.dataTransfer.files) { add(ev.dataTransfer.files); } });
    form.dataset.enhanced = "1";
    form.classList.add("enhanced");
  }
})();
