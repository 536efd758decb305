// Logging a call: show only the follow-up the chosen outcome calls for (the promise's amount and
// day, the callback's time, what a hold outcome does). Without scripts every field stays visible and
// the server asks for what is missing, so nothing depends on this file.
(function () {
  "use strict";
  function sync(form) {
    var outcome = form.querySelector("select[name='outcome']");
    if (!outcome) {
      return;
    }
    form.querySelectorAll("[data-follow-up]").forEach(function (part) {
      var shown = part.getAttribute("data-follow-up").split(" ").indexOf(outcome.value) >= 0;
      part.hidden = !shown;
      part.querySelectorAll("input, select, textarea").forEach(function (field) {
        field.disabled = !shown;
      });
    });
  }
  function setUp() {
    document.querySelectorAll("form[data-call-form]").forEach(function (form) {
      var outcome = form.querySelector("select[name='outcome']");
      if (outcome && !form.hasAttribute("data-call-form-ready")) {
        form.setAttribute("data-call-form-ready", "");
        outcome.addEventListener("change", function () {
          sync(form);
        });
        sync(form);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSwap", setUp);
})();
