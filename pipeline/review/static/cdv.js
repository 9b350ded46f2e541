// Shared helpers of the review pages: JSON calls, the message bar with undo, the publication state.
// No framework, no build step, no network but this app.
(function () {
  "use strict";
  var cdv = (window.cdv = {});

  function parse(response) {
    return response
      .json()
      .catch(function () {
        return { ok: false, erreur: "réponse illisible du serveur (" + response.status + ")" };
      })
      .then(function (data) {
        if (!response.ok) data.ok = false;
        return data;
      });
  }
  function offline() {
    return { ok: false, erreur: "serveur injoignable : la décision n'est pas enregistrée" };
  }
  cdv.post = function (url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    }).then(parse, offline);
  };
  cdv.get = function (url) {
    return fetch(url, { credentials: "same-origin" }).then(parse, offline);
  };

  // French numbers: decimal comma, no trailing ",0".
  cdv.fr = function (value, decimals) {
    var text = Number(value).toFixed(decimals === undefined ? 1 : decimals).replace(".", ",");
    return text.replace(/,0+$/, "");
  };
  cdv.plural = function (count, singular, plural) {
    return cdv.fr(count, 0) + " " + (Math.abs(count) < 2 ? singular : plural || singular + "s");
  };
  cdv.isTyping = function (event) {
    var tag = event.target && event.target.tagName;
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA";
  };
  cdv.el = function (tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  // Boxes around the words of a detected passage on a page image (coordinates as fractions of the page).
  cdv.drawHitBoxes = function (layer, boxes) {
    boxes.forEach(function (word) {
      var box = cdv.el("span", "hit-box");
      box.style.left = 100 * word.x + "%";
      box.style.top = 100 * word.y + "%";
      box.style.width = 100 * word.w + "%";
      box.style.height = 100 * word.h + "%";
      layer.appendChild(box);
    });
  };

  // Message bar, with an undo button while the last decision can be undone.
  var undoHandler = null;
  var hideTimer = null;
  cdv.toast = function (text, options) {
    var bar = document.getElementById("toast");
    if (!bar) return;
    options = options || {};
    document.getElementById("toast-text").textContent = text;
    var button = document.getElementById("toast-undo");
    undoHandler = options.undo || null;
    button.hidden = !undoHandler;
    bar.classList.toggle("toast-error", !!options.error);
    bar.hidden = false;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () {
      bar.hidden = true;
    }, options.error ? 12000 : 6000);
  };
  cdv.undoLast = function () {
    if (!undoHandler) return false;
    var handler = undoHandler;
    undoHandler = null;
    handler();
    return true;
  };
  cdv.undoDecision = function (decisionId) {
    return cdv.post("/api/annuler", { decision_id: Number(decisionId) });
  };

  // Publication state of the report and workbook.
  function showState(state) {
    var badge = document.getElementById("publication");
    if (!badge || !state) return;
    badge.dataset.etat = state.etat;
    badge.className = "publication etat-" + state.etat;
    document.getElementById("publication-etat").textContent = state.libelle;
    badge.title = state.erreur
      ? state.erreur
      : state.publie_le
        ? "Dernière régénération : " + state.publie_le.replace("T", " ").replace("+00:00", " UTC")
        : "Rapport HTML, classeur et tables du run";
  }
  cdv.refreshState = function () {
    return cdv.get("/api/etat").then(function (data) {
      if (data.publication) showState(data.publication);
      var overall = document.getElementById("queue-progress");
      if (overall && data.progression) {
        var p = data.progression;
        overall.textContent =
          cdv.plural(p.reviewed, "détection revue", "détections revues") +
          " sur " + cdv.fr(p.detections, 0) + " (" + cdv.fr(p.pct_reviewed) + " %)";
      }
      return data;
    });
  };
  cdv.markChanged = function () {
    var badge = document.getElementById("publication");
    if (badge && badge.dataset.etat !== "en_cours") {
      showState({ etat: "a_regenerer", libelle: "à régénérer", publie_le: "", erreur: "" });
    }
  };
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("publier");
    if (button) {
      button.addEventListener("click", function () {
        showState({ etat: "en_cours", libelle: "régénération en cours", publie_le: "", erreur: "" });
        cdv.post("/api/publier", {}).then(function (data) {
          if (data.publication) showState(data.publication);
        });
      });
    }
    if (document.getElementById("publication")) {
      setInterval(function () {
        if (!document.hidden) cdv.refreshState();
      }, 3000);
    }
    var undoButton = document.getElementById("toast-undo");
    if (undoButton) undoButton.addEventListener("click", cdv.undoLast);
  });
})();
