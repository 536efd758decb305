// Keyboard shortcuts for the officer's day: "n" opens the next account, "c" starts logging a call.
// Ignored while typing in a field or with a modifier key, so they never steal a letter.
(function () {
  "use strict";
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    if (event.key === "n") {
      var next = document.querySelector("form[data-shortcut='next-account']");
      if (next) {
        event.preventDefault();
        next.requestSubmit();
      }
    } else if (event.key === "c") {
      var outcome = document.getElementById("call-outcome");
      if (outcome) {
        event.preventDefault();
        outcome.scrollIntoView({ block: "center" });
        outcome.focus();
      }
    }
  });
})();
