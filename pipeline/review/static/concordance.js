// Concordance: select lines or whole groups, then one decision for all of them, each recorded as its own
// audited decision through /api/decisions/lot; the last batch can be undone.
(function () {
  "use strict";
  var bar = document.getElementById("bulk");
  if (!bar || !window.cdv) return;
  var cdv = window.cdv;
  var lastBatch = [];
  var LABELS = { auto: "à revoir", valide: "validée", rejete: "rejetée", ajoute: "ajoutée" };

  function checked() {
    return Array.prototype.slice.call(document.querySelectorAll("tr.kline .line-check:checked")).map(function (box) {
      return box.closest("tr");
    });
  }
  function count() {
    var n = checked().length;
    document.getElementById("bulk-count").textContent = cdv.plural(n, "sélectionnée", "sélectionnées");
  }
  function show(row, detection) {
    ["auto", "valide", "rejete", "ajoute"].forEach(function (s) {
      row.classList.toggle("status-" + s, s === detection.status);
    });
    var state = row.querySelector(".state");
    state.textContent = LABELS[detection.status] || detection.status;
    state.className = "badge state status-" + detection.status;
    var role = row.querySelector(".role");
    role.textContent = detection.role_label;
    role.className = "badge role role-" + detection.role;
    if (detection.entity_id !== bar.dataset.entity) row.classList.add("moved");
  }
  function apply(action, value) {
    var rows = checked();
    if (!rows.length) {
      cdv.toast("Cochez d'abord des lignes ou un groupe.", { error: true });
      return;
    }
    var ids = rows.map(function (row) {
      return row.dataset.id;
    });
    cdv.post("/api/decisions/lot", { detection_ids: ids, action: action, value: value || "" }).then(function (data) {
      if (!data.decisions) {
        cdv.toast("Décisions refusées : " + (data.erreur || "erreur"), { error: true });
        return;
      }
      var byId = {};
      rows.forEach(function (row) {
        byId[row.dataset.id] = row;
      });
      lastBatch = [];
      data.decisions.forEach(function (item) {
        var row = byId[item.decision.detection_id];
        if (row) {
          show(row, item.detection);
          row.querySelector(".line-check").checked = false;
        }
        lastBatch.push(item.decision.id);
      });
      Array.prototype.forEach.call(document.querySelectorAll(".group-check"), function (box) {
        box.checked = false;
      });
      document.getElementById("bulk-undo").disabled = !lastBatch.length;
      count();
      var text = cdv.plural(data.enregistrees, "décision enregistrée", "décisions enregistrées");
      if (data.erreurs && data.erreurs.length) text += " ; " + cdv.plural(data.erreurs.length, "refusée") + " : " + data.erreurs[0];
      cdv.toast(text, { undo: undoBatch, error: !!(data.erreurs && data.erreurs.length) });
      cdv.markChanged();
    });
  }
  function undoBatch() {
    var batch = lastBatch.slice().reverse();
    lastBatch = [];
    document.getElementById("bulk-undo").disabled = true;
    var undone = 0;
    var chain = Promise.resolve();
    batch.forEach(function (decisionId) {
      chain = chain.then(function () {
        return cdv.undoDecision(decisionId).then(function (data) {
          if (!data.ok) return;
          undone += 1;
          var row = document.querySelector('tr.kline[data-id="' + CSS.escape(data.decision.detection_id) + '"]');
          if (row) {
            row.classList.remove("moved");
            show(row, data.detection);
          }
        });
      });
    });
    chain.then(function () {
      cdv.toast(cdv.plural(undone, "décision annulée", "décisions annulées") + ".");
      cdv.markChanged();
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.classList.contains("group-check")) {
      var group = target.closest(".kwic-group");
      Array.prototype.forEach.call(group.querySelectorAll(".line-check"), function (box) {
        box.checked = target.checked;
      });
    }
    if (target.classList.contains("line-check") || target.classList.contains("group-check")) count();
  });
  Array.prototype.forEach.call(bar.querySelectorAll("button[data-action]"), function (button) {
    button.addEventListener("click", function () {
      var value = button.dataset.value || "";
      if (button.dataset.action === "entite") {
        value = document.getElementById("bulk-entity").value;
        if (!value) {
          cdv.toast("Choisissez d'abord le sens ou l'entité.", { error: true });
          return;
        }
      }
      apply(button.dataset.action, value);
    });
  });
  document.getElementById("bulk-undo").addEventListener("click", undoBatch);
  document.addEventListener("keydown", function (event) {
    if (cdv.isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "v") apply("valider");
    else if (event.key === "x") apply("rejeter");
    else if (event.key === "u") undoBatch();
    else return;
    event.preventDefault();
  });
  count();
})();
