// The live progress of a background job: see templates/admin/backoffice/includes/job_progress_script.html.
(function () {
  var box = document.querySelector("[data-progress-url]");
  var states = JSON.parse(document.getElementById("job-state-labels").textContent);
  // Numbers as the page's language writes them ("1.234" and "5,9" in pt-BR), as the server rendered them.
  var language = document.documentElement.lang || "pt-BR";
  var whole = new Intl.NumberFormat(language);
  var rate = new Intl.NumberFormat(language, {maximumFractionDigits: 1});
  var formats = {
    whole: function (value) { return whole.format(value); },
    rate: function (value) { return rate.format(value); },
    duration: function (seconds) {
      if (seconds === null || seconds === undefined) { return "—"; }
      var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
      return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
    },
    state: function (value) { return states[value] || value; },
    text: function (value) { return value || ""; }
  };
  function valueOf(data, path) {
    return path.split(".").reduce(function (value, name) { return value == null ? value : value[name]; }, data);
  }
  function show(data) {
    box.closest("#content-main").querySelectorAll("[data-field]").forEach(function (element) {
      var value = valueOf(data, element.dataset.field);
      if (value === undefined) { return; }
      if (element.tagName === "PROGRESS") { element.value = value; return; }
      element.textContent = formats[element.dataset.format || "whole"](value);
    });
    box.closest("#content-main").querySelectorAll("[data-shown-if]").forEach(function (element) {
      element.hidden = !valueOf(data, element.dataset.shownIf);
    });
  }
  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) { show(data); }
        if (data && data.finished && "reloadWhenFinished" in box.dataset) { window.location.reload(); return; }
        if (!data || !data.finished) { setTimeout(poll, 1000); }
      }, function () { setTimeout(poll, 3000); });
  }
  if (box.dataset.finished !== "true") { setTimeout(poll, 500); }
})();
