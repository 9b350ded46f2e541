// Keyboard shortcuts of the review page (no framework, no network).
(function () {
  "use strict";
  function submit(id) {
    var form = document.getElementById(id);
    if (form) { form.requestSubmit ? form.requestSubmit() : form.submit(); return true; }
    return false;
  }
  function focus(id) {
    var el = document.getElementById(id);
    if (el) { el.focus(); return true; }
    return false;
  }
  function move(step) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("li.det"));
    if (!rows.length) return;
    var index = rows.findIndex(function (row) { return row.classList.contains("selected"); });
    var next = rows[Math.min(rows.length - 1, Math.max(0, index + step))];
    var link = next && next.querySelector("a.pick");
    if (link && next !== rows[index]) window.location.href = link.href;
  }
  function nextPending() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("li.det"));
    var index = rows.findIndex(function (row) { return row.classList.contains("selected"); });
    for (var i = 1; i <= rows.length; i++) {
      var row = rows[(index + i) % rows.length];
      if (row.classList.contains("status-auto")) { window.location.href = row.querySelector("a.pick").href; return; }
    }
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "SELECT" && event.key === "Enter") {
      event.preventDefault();
      if (target.form) { target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit(); }
      return;
    }
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var handled = true;
    switch (event.key) {
      case "v": handled = submit("act-valider"); break;
      case "x": case "r": handled = submit("act-rejeter"); break;
      case "s": handled = submit("act-signataire"); break;
      case "m": handled = submit("act-mentionne"); break;
      case "u": handled = submit("act-retablir"); break;
      case "t": handled = focus("theme-select"); break;
      case "e": handled = focus("entity-select"); break;
      case "c": handled = focus("comment-input"); break;
      case "a": handled = focus("add-entity"); break;
      case "j": case "ArrowDown": move(1); break;
      case "k": case "ArrowUp": move(-1); break;
      case "n": nextPending(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });
  var selected = document.querySelector("li.det.selected");
  if (selected && selected.scrollIntoView) selected.scrollIntoView({ block: "center" });
})();
