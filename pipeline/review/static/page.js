// Page view: the page image with its words laid over it (transparent, selectable), the page text, and the
// form that adds a missed detection from the selected passage (quote checked by the server).
(function () {
  "use strict";
  var root = document.getElementById("page-review");
  if (!root || !window.cdv) return;
  var cdv = window.cdv;
  var contract = root.dataset.contract;
  var page = Number(root.dataset.page);
  var quote = document.getElementById("sel-quote");
  var error = document.getElementById("sel-error");
  var insist = document.getElementById("sel-insist");
  var words = document.getElementById("word-layer");
  var hits = document.getElementById("hit-layer");
  var caption = document.getElementById("page-caption");

  function place(node, word) {
    node.style.left = 100 * word.x + "%";
    node.style.top = 100 * word.y + "%";
    node.style.width = 100 * word.w + "%";
    node.style.height = 100 * word.h + "%";
  }
  // Words are laid over the image once both the words and the image are there (their size follows the
  // image's), then the page says it is ready for a selection.
  var image = document.getElementById("page-image");
  var received = null;
  function layWords() {
    if (!received || !image || !image.complete || !image.naturalHeight) return;
    var data = received;
    received = null;
    data.mots.forEach(function (word) {
      var span = cdv.el("span", "word", word.t + " ");
      place(span, word);
      var height = word.h * words.clientHeight;
      span.style.fontSize = Math.max(5, 0.6 * height) + "px";
      span.style.lineHeight = height + "px";
      words.appendChild(span);
    });
    if (data.ocr) {
      (data.passage || []).forEach(function (word) {
        var box = cdv.el("span", "hit-box");
        place(box, word);
        hits.appendChild(box);
      });
    }
    caption.textContent =
      (data.ocr ? "Page numérisée (OCR) : mots lus par Tesseract. " : "") +
      cdv.plural(data.mots.length, "mot sélectionnable", "mots sélectionnables") + " sur l'image.";
    root.dataset.wordsReady = "1";
  }
  if (words) {
    var url = "/api/contrats/" + encodeURIComponent(contract) + "/pages/" + page + "/mots";
    if (root.dataset.detection) url += "?d=" + encodeURIComponent(root.dataset.detection);
    image.addEventListener("load", layWords);
    cdv.get(url).then(function (data) {
      if (!data.ok) {
        caption.textContent = "Mots de la page indisponibles : sélectionnez dans le texte de la page.";
        return;
      }
      received = data;
      layWords();
    });
  }
  document.addEventListener("mouseup", function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed) return;
    var anchor = selection.anchorNode && selection.anchorNode.parentElement;
    if (!anchor || !(anchor.closest("#word-layer") || anchor.closest("#page-text"))) return;
    var text = selection.toString();
    if (anchor.closest("#word-layer")) {
      // On the image, whole words: every word the selection touches, in reading order.
      text = Array.prototype.filter
        .call(words.querySelectorAll("span.word"), function (span) {
          return selection.containsNode(span, true);
        })
        .map(function (span) {
          return span.textContent;
        })
        .join(" ");
    }
    text = text.split(/\s+/).join(" ").trim();
    if (text) {
      quote.value = text;
      error.hidden = true;
      insist.hidden = true;
    }
  });
  function send(force) {
    var isNew = document.getElementById("sel-new-radio").checked;
    var body = {
      contract_id: contract,
      page: page,
      quote: quote.value,
      entity_id: isNew ? "" : document.getElementById("sel-entity").value,
      nouveau_nom: isNew ? document.getElementById("sel-new-name").value : "",
      nature: document.getElementById("sel-kind").value,
      role: document.getElementById("sel-role").value,
      theme: document.getElementById("sel-theme").value,
      insister: !!force,
    };
    cdv.post("/api/ajouts", body).then(function (data) {
      if (!data.ok) {
        error.textContent = data.erreur || "ajout refusé";
        error.hidden = false;
        insist.hidden = !/citation non retrouvée/.test(data.erreur || "");
        return;
      }
      error.hidden = true;
      insist.hidden = true;
      var note = data.citation_trouvee ? "" : " (citation non retrouvée)";
      cdv.toast("Détection ajoutée : " + data.detection.entity_name + ", p. " + page + note, {
        undo: function () {
          cdv.undoDecision(data.decision.id).then(function (undone) {
            cdv.toast(undone.ok ? "Ajout annulé." : "Annulation impossible : " + undone.erreur, { error: !undone.ok });
          });
        },
      });
      cdv.markChanged();
    });
  }
  document.getElementById("add-selection").addEventListener("submit", function (event) {
    event.preventDefault();
    send(false);
  });
  insist.addEventListener("click", function () {
    send(true);
  });
  document.getElementById("sel-new-name").addEventListener("input", function () {
    document.getElementById("sel-new-radio").checked = true;
  });
})();
