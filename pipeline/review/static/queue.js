// The review queue: keyboard-first decisions without reloads. A decision marks the item at once and moves
// to the next one (optimistic update); the server's answer confirms it or puts the item back. `u` undoes.
(function () {
  "use strict";
  var list = document.getElementById("queue-items");
  if (!list || !window.cdv) return;
  var cdv = window.cdv;
  var filter = document.getElementById("queue").dataset.filter || "";
  var image = document.getElementById("page-image");
  var layer = document.getElementById("hit-layer");
  var caption = document.getElementById("page-caption");
  var counter = document.getElementById("session-count");
  var sent = 0;
  var confirmed = 0;
  var sinceRefresh = 0;
  var refreshing = false;
  var undoStack = [];
  var LABELS = { auto: "à revoir", valide: "validée", rejete: "rejetée", ajoute: "ajoutée" };
  var IMAGE_DELAY = 250;

  function items() {
    return Array.prototype.slice.call(list.querySelectorAll("li.qitem"));
  }
  function current() {
    return list.querySelector("li.qitem.selected");
  }
  function pageUrl(li) {
    return (
      "/contrats/" + encodeURIComponent(li.dataset.contract) + "/pages/" + li.dataset.page +
      ".png?d=" + encodeURIComponent(li.dataset.id)
    );
  }
  function drawHit(li) {
    layer.textContent = "";
    caption.textContent = "Le passage détecté est encadré.";
    if (li.dataset.ocr !== "1") return;
    var url =
      "/api/contrats/" + encodeURIComponent(li.dataset.contract) + "/pages/" + li.dataset.page +
      "/mots?d=" + encodeURIComponent(li.dataset.id);
    cdv.get(url).then(function (data) {
      if (current() !== li) return;
      var boxes = (data && data.passage) || [];
      caption.textContent = boxes.length
        ? "Page numérisée (OCR) : le passage détecté est encadré d'après les mots lus."
        : "Page numérisée (OCR) : passage non localisé sur l'image.";
      cdv.drawHitBoxes(layer, boxes);
    });
  }
  // The page image is asked for once the selection rests (a reviewer running through the queue with the
  // keyboard does not make the server draw every page), then the next item's page is fetched ahead.
  var imageTimer = null;
  function showImage(li) {
    clearTimeout(imageTimer);
    imageTimer = setTimeout(function () {
      if (current() !== li) return;
      image.src = pageUrl(li);
      drawHit(li);
      var next = nextPending(li);
      if (next) {
        image.onload = function () {
          image.onload = null;
          if (current() === li) new Image().src = pageUrl(next);
        };
      }
    }, IMAGE_DELAY);
  }
  function show(li) {
    if (!li) return;
    showImage(li);
    document.getElementById("open-contract").href =
      "/contrats/" + encodeURIComponent(li.dataset.contract) + "?sel=" + encodeURIComponent(li.dataset.id);
    document.getElementById("open-concordance").href = "/concordance/" + encodeURIComponent(li.dataset.entity);
    document.getElementById("open-page").href =
      "/contrats/" + encodeURIComponent(li.dataset.contract) + "/page/" + li.dataset.page;
    var partner = li.dataset.kind === "partenaire";
    Array.prototype.forEach.call(document.querySelectorAll(".partner-only"), function (button) {
      button.hidden = !partner;
    });
  }
  function select(li) {
    if (!li) return;
    var previous = current();
    if (previous) previous.classList.remove("selected");
    li.classList.add("selected");
    if (li.scrollIntoView) li.scrollIntoView({ block: "nearest" });
    show(li);
  }
  function nextPending(from) {
    var all = items();
    var start = all.indexOf(from);
    for (var i = start + 1; i < all.length; i++) {
      if (all[i].classList.contains("status-auto") && !all[i].dataset.sending) return all[i];
    }
    return null;
  }
  function pendingCount() {
    return list.querySelectorAll("li.qitem.status-auto:not([data-sending])").length;
  }
  function setStatus(li, status) {
    ["auto", "valide", "rejete", "ajoute"].forEach(function (s) {
      li.classList.toggle("status-" + s, s === status);
    });
    var badge = li.querySelector(".state");
    if (badge) {
      badge.textContent = LABELS[status] || status;
      badge.className = "badge state status-" + status;
    }
  }
  function statusOf(li) {
    return ["auto", "valide", "rejete", "ajoute"].filter(function (s) {
      return li.classList.contains("status-" + s);
    })[0] || "auto";
  }
  function updateCount() {
    counter.dataset.sent = String(sent);
    counter.dataset.confirmed = String(confirmed);
    counter.textContent = cdv.plural(confirmed, "décision") + " dans cette séance";
  }
  function decide(action, value) {
    var li = current();
    if (!li || li.classList.contains("empty")) return;
    var before = statusOf(li);
    setStatus(li, action === "rejeter" ? "rejete" : "valide");
    if (action === "role") {
      var role = li.querySelector(".badge[class*='role-']");
      if (role) {
        role.textContent = value === "signataire" ? "signataire" : "mentionné";
        role.className = "badge role-" + value;
      }
    }
    li.dataset.sending = "1";
    sent += 1;
    updateCount();
    var next = nextPending(li);
    if (next) select(next);
    cdv
      .post("/api/decisions", { detection_id: li.dataset.id, action: action, value: value || "" })
      .then(function (data) {
        delete li.dataset.sending;
        if (!data.ok) {
          setStatus(li, before);
          sent -= 1;
          updateCount();
          cdv.toast("Décision refusée : " + (data.erreur || "erreur"), { error: true });
          return;
        }
        confirmed += 1;
        updateCount();
        setStatus(li, data.detection.status);
        li.dataset.decision = String(data.decision.id);
        undoStack.push(li);
        var name = li.querySelector(".entity").textContent;
        cdv.toast(name + " : " + data.decision.summary + (data.avertissement ? " — " + data.avertissement : ""), {
          undo: undoLast,
        });
        cdv.markChanged();
        sinceRefresh += 1;
        if (sinceRefresh >= 20 || pendingCount() < 8) refresh();
      });
  }
  function undoLast() {
    var li = undoStack.pop();
    if (!li) return;
    cdv.undoDecision(li.dataset.decision).then(function (data) {
      if (!data.ok) {
        cdv.toast("Annulation impossible : " + data.erreur, { error: true });
        return;
      }
      setStatus(li, data.detection.status);
      var role = li.querySelector(".badge[class*='role-']");
      if (role && data.detection.role) {
        role.textContent = data.detection.role_label;
        role.className = "badge role-" + data.detection.role;
      }
      select(li);
      cdv.toast("Décision annulée : " + li.querySelector(".entity").textContent + " est de nouveau à revoir.");
      cdv.markChanged();
    });
  }
  function snippetParts(snippet, hit) {
    var lower = snippet.toLowerCase();
    var wanted = (hit || "").toLowerCase();
    if (!wanted) return [snippet, "", ""];
    var best = -1;
    var middle = (snippet.length - wanted.length) / 2;
    for (var at = lower.indexOf(wanted); at >= 0; at = lower.indexOf(wanted, at + 1)) {
      if (best < 0 || Math.abs(at - middle) < Math.abs(best - middle)) best = at;
    }
    if (best < 0) return [snippet, "", ""];
    return [snippet.slice(0, best), snippet.slice(best, best + hit.length), snippet.slice(best + hit.length)];
  }
  function itemNode(item) {
    var li = cdv.el("li", "qitem status-auto");
    li.id = "q-" + item.detection_id;
    li.dataset.id = item.detection_id;
    li.dataset.contract = item.contract_id;
    li.dataset.page = String(item.page);
    li.dataset.kind = item.kind;
    li.dataset.entity = item.entity_id;
    li.dataset.ocr = item.ocr ? "1" : "0";
    var head = cdv.el("div", "qhead");
    head.appendChild(cdv.el("span", "entity", item.entity_name + (item.entity_acronym ? " (" + item.entity_acronym + ")" : "")));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(cdv.el("span", "badge role-" + item.role, item.role_label));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(cdv.el("span", "badge status-auto state", "à revoir"));
    head.appendChild(
      cdv.el(
        "span",
        "meta",
        " " + item.contract_id + " · p. " + item.page + " · score " + cdv.fr(item.score, 2) + " · " +
          item.method_label + " · impact " + cdv.fr(item.impact, 1)
      )
    );
    li.appendChild(head);
    var reasons = cdv.el("ul", "reasons");
    item.reasons.forEach(function (reason) {
      reasons.appendChild(cdv.el("li", "", reason));
    });
    li.appendChild(reasons);
    var parts = snippetParts(item.snippet, item.hit);
    var snippet = cdv.el("span", "snippet");
    snippet.appendChild(document.createTextNode(parts[0]));
    snippet.appendChild(cdv.el("mark", "", parts[1]));
    snippet.appendChild(document.createTextNode(parts[2]));
    li.appendChild(snippet);
    return li;
  }
  function refresh() {
    if (refreshing) return;
    refreshing = true;
    sinceRefresh = 0;
    cdv.get("/api/file?limite=40" + (filter ? "&" + filter : "")).then(function (data) {
      refreshing = false;
      if (!data.items) return;
      var selected = current();
      var all = items();
      var after = all.slice(all.indexOf(selected) + 1);
      after.forEach(function (li) {
        if (li.classList.contains("status-auto") && !li.dataset.sending) li.remove();
      });
      var present = {};
      items().forEach(function (li) {
        present[li.dataset.id] = true;
      });
      data.items.forEach(function (item) {
        if (!present[item.detection_id]) list.appendChild(itemNode(item));
      });
      var empty = list.querySelector("li.empty");
      if (empty && items().length) empty.remove();
      if (!current() || !current().classList.contains("status-auto")) {
        var next = nextPending(current());
        if (next && (!current() || current().dataset.decision)) select(next);
      }
      cdv.refreshState();
    });
  }

  list.addEventListener("click", function (event) {
    if (event.target.closest("a")) return;
    var li = event.target.closest("li.qitem");
    if (li) select(li);
  });
  Array.prototype.forEach.call(document.querySelectorAll("#queue-actions button[data-action]"), function (button) {
    button.addEventListener("click", function () {
      decide(button.dataset.action, button.dataset.value);
    });
  });
  document.getElementById("queue-undo").addEventListener("click", undoLast);
  document.addEventListener("keydown", function (event) {
    if (cdv.isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    var li = current();
    var handled = true;
    switch (event.key) {
      case "v": decide("valider"); break;
      case "x": case "r": decide("rejeter"); break;
      case "s": if (li && li.dataset.kind === "partenaire") decide("role", "signataire"); break;
      case "m": if (li && li.dataset.kind === "partenaire") decide("role", "mentionne"); break;
      case "u": undoLast(); break;
      case "j": case "ArrowDown": select(li && li.nextElementSibling); break;
      case "k": case "ArrowUp": select(li && li.previousElementSibling); break;
      case "o": if (li) window.location.href = document.getElementById("open-contract").href; break;
      case "c": if (li) window.location.href = document.getElementById("open-concordance").href; break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });
  show(current());
  updateCount();
})();
