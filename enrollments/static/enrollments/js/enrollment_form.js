// The enroll form loads again with the chosen company, so the course list shows that company's seats left.
(function () {
  "use strict";
  var company = document.getElementById("id_company");
  if (!company) { return; }
  company.addEventListener("change", function (event) {
    var url = new URL(window.location.href);
    url.searchParams.set("company", event.target.value);
    window.location.href = url.toString();
  });
})();
