// After htmx swaps in a new <main> (a form or link on a page that updates in place), put the keyboard
// and screen-reader focus where a full page load would: on the page's message if there is one (so the
// outcome is read out), otherwise on <main> itself, and bring it into view.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.detail && event.detail.target;
    var main = document.getElementById("main");
    if (!main || !swapped || swapped.id !== "main") {
      return;
    }
    var message = main.querySelector(".messages");
    var target = message || main;
    if (message) {
      message.setAttribute("tabindex", "-1");
    }
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  });
})();
