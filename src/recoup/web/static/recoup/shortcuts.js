// Keyboard shortcuts for the officer's day: "n" opens the next account; on the account page each action
// in the action bar has its letter (c call, p payment, m message, h hold, a reassign), which unfolds its
// section and puts focus in its first field. Ignored while typing in a field or with a modifier key, so
// they never steal a letter.
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
    } else if (/^[a-z]$/.test(event.key)) {
      var action = document.querySelector("a[data-open][aria-keyshortcuts='" + event.key + "']");
      if (action && window.RecoupSections && window.RecoupSections.openAndFocus(action)) {
        event.preventDefault();
      }
    }
  });
})();
