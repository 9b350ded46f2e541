// The contract page: keyboard shortcuts, decisions through the JSON API without reloading the page (the row
// changes at once, the next detection to review is selected, `u` undoes), selection without navigation.
(function () {
  "use strict";
  var cdv = window.cdv;
  var LABELS = { auto: "à revoir", valide: "validée", rejete: "rejetée", ajoute: "ajoutée" };
  var ROLES = { signataire: "signataire", mentionne: "mentionné", articulation: "articulation" };
  var STAY = { note: true, theme: true, entite: true };
  var undoStack = [];

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("li.det"));
  }
  function selectedRow() {
    return document.querySelector("li.det.selected");
  }
  function rowOf(id) {
    return document.getElementById("d-" + id);
  }
  function submit(id) {
    var form = document.getElementById(id);
    if (form) {
      if (form.requestSubmit) form.requestSubmit();
      else form.dispatchEvent(new Event("submit", { cancelable: true }));
      return true;
    }
    return false;
  }
  function focus(id) {
    var el = document.getElementById(id);
    if (el) {
      el.focus();
      return true;
    }
    return false;
  }
  // Show another detection: the server renders the page for it; only the action panel, the side panel and
  // the selection change (the list and its scroll position stay).
  function choose(row) {
    if (!row) return;
    var link = row.querySelector("a.pick");
    if (!link) return;
    var previous = selectedRow();
    if (previous) previous.classList.remove("selected");
    row.classList.add("selected");
    if (row.scrollIntoView) row.scrollIntoView({ block: "nearest" });
    var url = link.getAttribute("href");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        if (selectedRow() !== row) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["actions"].forEach(function (id) {
          var old = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (old && next) old.replaceWith(document.importNode(next, true));
        });
        var side = document.querySelector("aside.side");
        var freshSide = fresh.querySelector("aside.side");
        if (side && freshSide) side.replaceWith(document.importNode(freshSide, true));
        history.replaceState(null, "", url);
        bindForms();
        boxScannedHit();
      });
  }
  function move(step) {
    var all = rows();
    var index = all.indexOf(selectedRow());
    var next = all[Math.min(all.length - 1, Math.max(0, index + step))];
    if (next && next !== all[index]) choose(next);
  }
  function nextPending(from) {
    var all = rows();
    var index = all.indexOf(from);
    for (var i = 1; i <= all.length; i++) {
      var row = all[(index + i) % all.length];
      if (row.classList.contains("status-auto") && !row.dataset.sending) return row;
    }
    return null;
  }
  function paint(row, detection) {
    if (!row) return;
    ["auto", "valide", "rejete", "ajoute"].forEach(function (s) {
      row.classList.toggle("status-" + s, s === detection.status);
    });
    var badges = row.querySelectorAll(".badge");
    Array.prototype.forEach.call(badges, function (badge) {
      if (/status-/.test(badge.className)) {
        badge.className = "badge status-" + detection.status;
        badge.textContent = LABELS[detection.status] || detection.status;
      } else if (/role-/.test(badge.className) && detection.role) {
        badge.className = "badge role-" + detection.role;
        badge.textContent = ROLES[detection.role] || detection.role;
      }
    });
    if (detection.entity_name) {
      var name = row.querySelector(".entity");
      if (name && name.textContent.indexOf(detection.entity_name) !== 0) name.textContent = detection.entity_name;
    }
  }
  function progressBy(step) {
    var text = document.getElementById("progress-text");
    if (!text) return;
    var match = /(\d+) \/ (\d+)/.exec(text.textContent);
    if (!match) return;
    var done = Math.max(0, Number(match[1]) + step);
    var total = Number(match[2]);
    text.textContent = done + " / " + total + " détections revues (" + Math.round((100 * done) / (total || 1)) + " %)";
    var bar = document.querySelector("#progress progress");
    if (bar) bar.value = done;
  }
  function decide(form) {
    var data = new FormData(form);
    var id = String(data.get("detection_id"));
    var action = String(data.get("action"));
    var basis = String(data.get("basis") || "");
    var chosen = selectedRow();
    if (chosen && chosen.dataset.id !== id) {
      // The panel of the newly selected detection is still loading: the decision is for the selection.
      id = chosen.dataset.id;
      basis = "";
    }
    var row = rowOf(id);
    var wasPending = row && row.classList.contains("status-auto");
    var before = row ? row.className : "";
    if (row && action !== "note") {
      paint(row, { status: action === "rejeter" ? "rejete" : action === "retablir" ? "auto" : "valide", role: action === "role" ? String(data.get("value")) : "" });
      row.dataset.sending = "1";
    }
    if (wasPending && action !== "note" && action !== "retablir") progressBy(1);
    if (!STAY[action] && row) choose(nextPending(row) || row);
    cdv
      .post("/api/decisions", {
        detection_id: id,
        action: action,
        value: String(data.get("value") || ""),
        comment: String(data.get("comment") || ""),
        basis: /^\d+$/.test(basis) && basis !== "0" ? Number(basis) : null,
      })
      .then(function (answer) {
        if (row) delete row.dataset.sending;
        if (!answer.ok) {
          if (row) row.className = before;
          if (wasPending && action !== "note" && action !== "retablir") progressBy(-1);
          cdv.toast("Décision refusée : " + (answer.erreur || "erreur"), { error: true });
          return;
        }
        paint(row, answer.detection);
        undoStack.push({ id: answer.decision.id, row: row, pending: wasPending });
        var name = row ? row.querySelector(".entity").textContent : answer.detection.entity_name;
        cdv.toast("Décision enregistrée : " + name + " " + answer.decision.summary + (answer.avertissement ? " — " + answer.avertissement : ""), {
          undo: undoLast,
        });
        cdv.markChanged();
        if (STAY[action] && row) choose(row);
      });
  }
  function undoLast() {
    var last = undoStack.pop();
    if (!last) return;
    cdv.undoDecision(last.id).then(function (answer) {
      if (!answer.ok) {
        cdv.toast("Annulation impossible : " + answer.erreur, { error: true });
        return;
      }
      paint(last.row, answer.detection);
      if (last.pending && answer.detection.status === "auto") progressBy(-1);
      cdv.toast("Décision annulée.");
      cdv.markChanged();
      if (last.row) choose(last.row);
    });
  }
  // Scanned pages have no text layer for the server to box the hit in: it is boxed from the OCR words.
  function boxScannedHit() {
    var figure = document.getElementById("page-figure");
    if (!figure || figure.dataset.ocr !== "1" || !cdv) return;
    var url =
      "/api/contrats/" + encodeURIComponent(figure.dataset.contract) + "/pages/" + figure.dataset.page +
      "/mots?d=" + encodeURIComponent(figure.dataset.detection);
    cdv.get(url).then(function (data) {
      var layer = document.getElementById("hit-layer");
      if (!layer || document.getElementById("page-figure") !== figure) return;
      var boxes = (data && data.passage) || [];
      if (!boxes.length) {
        document.getElementById("page-caption").textContent = "page numérisée (OCR) : passage non localisé sur l'image";
      }
      cdv.drawHitBoxes(layer, boxes);
    });
  }
  function bindForms() {
    Array.prototype.forEach.call(document.querySelectorAll("#actions form"), function (form) {
      if (form.dataset.bound) return;
      form.dataset.bound = "1";
      form.addEventListener("submit", function (event) {
        if (!cdv) return;
        event.preventDefault();
        decide(form);
      });
    });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("li.det a.pick");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || !cdv) return;
    event.preventDefault();
    choose(link.closest("li.det"));
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "SELECT" && event.key === "Enter") {
      event.preventDefault();
      if (target.form) {
        if (target.form.requestSubmit) target.form.requestSubmit();
        else target.form.submit();
      }
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
      case "u": if (undoStack.length) undoLast(); else handled = submit("act-retablir"); break;
      case "t": handled = focus("theme-select"); break;
      case "e": handled = focus("entity-select"); break;
      case "c": handled = focus("comment-input"); break;
      case "a": handled = focus("add-entity"); break;
      case "j": case "ArrowDown": move(1); break;
      case "k": case "ArrowUp": move(-1); break;
      case "n": choose(nextPending(selectedRow())); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });
  bindForms();
  boxScannedHit();
  var selected = selectedRow();
  if (selected && selected.scrollIntoView) selected.scrollIntoView({ block: "center" });
})();
