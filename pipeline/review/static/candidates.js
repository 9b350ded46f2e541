// Candidates: « Ajouter au lexique » opens a prefilled form, « Confirmer » writes the lexicon files.
(function () {
  "use strict";
  if (!window.cdv) return;
  var cdv = window.cdv;
  Array.prototype.forEach.call(document.querySelectorAll("form.confirm-form"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var body = {
        entity_id: data.get("entity_id"),
        name: data.get("name"),
        kind: data.get("kind"),
        category: data.get("category"),
        group: data.get("group"),
        scope: data.get("scope"),
        themes: data.getAll("themes"),
        acronyms: data.get("acronyms"),
      };
      var result = form.querySelector(".result");
      cdv.post("/api/candidats/confirmer", body).then(function (answer) {
        if (!answer.ok) {
          result.textContent = answer.erreur || "refusé";
          result.className = "result error";
          return;
        }
        var row = form.closest("tr");
        row.classList.add("confirmed");
        row.querySelector("details").open = false;
        row.querySelector("summary").textContent =
          "Dans le lexique (" + answer.entity_id + ") · " +
          cdv.plural(answer.detections_ajoutees, "détection ajoutée", "détections ajoutées");
        cdv.toast("« " + body.name + " » ajouté au lexique.");
        cdv.markChanged();
      });
    });
  });
})();
