// The header's language picker (templates/admin/language_form.html) posts its form as soon as a language is picked.
(function () {
  "use strict";
  var select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
})();
