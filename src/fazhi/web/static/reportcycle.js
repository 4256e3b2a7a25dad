/* The annual report's cycle (routes/reportcycle.py): on the draft page, a click (or Enter/Space) on a
   sentence that carries sources shows them below its paragraph; another click hides them. */
(function () {
  "use strict";
  function toggle(sent) {
    var box = document.getElementById(sent.dataset.cite);
    if (!box) return;
    var open = box.hidden;
    document.querySelectorAll(".rc-sent.cited.selected").forEach(function (s) {
      s.classList.remove("selected");
      s.setAttribute("aria-expanded", "false");
      var b = document.getElementById(s.dataset.cite);
      if (b) b.hidden = true;
    });
    if (open) {
      box.hidden = false;
      sent.classList.add("selected");
      sent.setAttribute("aria-expanded", "true");
    }
  }
  document.addEventListener("click", function (ev) {
    var sent = ev.target.closest && ev.target.closest(".rc-sent.cited");
    if (sent) toggle(sent);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" && ev.key !== " ") return;
    var sent = ev.target.closest && ev.target.closest(".rc-sent.cited");
    if (sent) { ev.preventDefault(); toggle(sent); }
  });
})();
