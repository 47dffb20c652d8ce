// The enrollment list's header box selects or clears every row of the page, as the admin's actions do.
(function () {
  "use strict";
  var toggle = document.getElementById("action-toggle");
  if (!toggle) { return; }
  toggle.addEventListener("change", function (event) {
    document.querySelectorAll("#result_list input.action-select").forEach(function (box) { box.checked = event.target.checked; });
  });
})();
