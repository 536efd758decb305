// Account page sections. Each section marked data-collapsible gets a button in its heading that folds
// and unfolds it. data-collapsible says how it starts: "open" or "closed" unless the officer has opened
// or folded it before in this browser tab (remembered, so a section stays as they left it after an
// action); "shown" always open (the form there was just refused). Without scripts every section is open.
// A link in the action bar (or its shortcut key) unfolds the section it points at and focuses its field.
(function () {
  "use strict";

  var KEY = "recoup.sections";

  function remembered() {
    try {
      return JSON.parse(window.sessionStorage.getItem(KEY) || "{}");
    } catch (error) {
      return {};
    }
  }

  function remember(section, open) {
    var states = remembered();
    states[section.id] = open;
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify(states));
    } catch (error) {
      // Storage may be full or refused; the section still opens and folds.
    }
  }

  function setOpen(section, open) {
    var button = section.querySelector(".section__toggle");
    Array.prototype.forEach.call(section.children, function (child) {
      if (!child.classList.contains("panel__head")) {
        child.hidden = !open;
      }
    });
    if (button) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    section.classList.toggle("is-folded", !open);
  }

  function prepare(section) {
    if (section.dataset.prepared) {
      return;
    }
    section.dataset.prepared = "1";
    var heading = section.querySelector(".panel__head h2");
    if (!heading) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "section__toggle";
    while (heading.firstChild) {
      button.appendChild(heading.firstChild);
    }
    heading.appendChild(button);
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      setOpen(section, open);
      remember(section, open);
    });
    var hash = window.location.hash.slice(1);
    var named = hash && (section.id === hash || section.querySelector("[id='" + hash.replace(/'/g, "") + "']"));
    var before = remembered()[section.id];
    var start = section.dataset.collapsible;
    var open = start === "shown" || Boolean(named) || (typeof before === "boolean" ? before : start === "open");
    setOpen(section, open);
  }

  function openAndFocus(link) {
    var section = document.getElementById(link.dataset.open);
    if (!section) {
      return false;
    }
    setOpen(section, true);
    remember(section, true);
    var field = link.dataset.focus && document.getElementById(link.dataset.focus);
    var target = field || section;
    target.scrollIntoView({ block: "center" });
    if (field) {
      field.focus({ preventScroll: true });
    }
    return true;
  }

  function prepareAll() {
    Array.prototype.forEach.call(document.querySelectorAll("section[data-collapsible]"), prepare);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-open]");
    if (link && openAndFocus(link)) {
      event.preventDefault();
    }
  });
  document.addEventListener("DOMContentLoaded", prepareAll);
  document.addEventListener("htmx:afterSettle", prepareAll);
  window.RecoupSections = { openAndFocus: openAndFocus };
})();
