/* fazhi 考核 and 督察整改 pages: the scorer's form asks for a reason when the score differs from the
   suggestion (the server checks it too); nothing else needs JavaScript. */
(function () {
  "use strict";
  document.querySelectorAll("#scoring-table tr[data-item-id]").forEach(function (row) {
    var input = row.querySelector(".score-input");
    var reason = row.querySelector(".score-reason");
    if (!input || !reason) { return; }
    var suggested = row.dataset.suggested;
    var check = function () {
      var differs = suggested === "" || input.value === "" || Number(input.value) !== Number(suggested);
      reason.required = differs && input.value !== "";
      reason.classList.toggle("needed", reason.required);
    };
    input.addEventListener("input", check);
    check();
  });
}());
