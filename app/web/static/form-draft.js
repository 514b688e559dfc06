// The form for crews (app/web/templates/form.html) keeps a draft in this browser, so that a
// form lost with the connection (a reload, a crash) comes back with the same incident id:
// sent again, it is the same alert, never a second. Only the choices are kept, never what
// identifies the person (name, national id, phone, year of birth, place). The page works
// without this script; the alert's page (sent) drops the draft.
(function () {
  "use strict";
  var KEY = "odvarsel-skjema-draft";
  var MAX_AGE_MS = 6 * 60 * 60 * 1000;
  var KEPT = ["incident", "opened_at", "municipality", "kind", "outcome", "destination",
    "consent", "relatives", "time", "naloxone", "doses"];

  function forget() {
    try { window.localStorage.removeItem(KEY); } catch (e) { /* storage off: nothing kept */ }
  }

  if (document.getElementById("sent-alert")) { forget(); return; }
  var form = document.querySelector("form.crew-form");
  if (!form) { return; }

  function save() {
    var draft = { saved: Date.now() };
    KEPT.forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field) { draft[name] = field.value; }
    });
    try { window.localStorage.setItem(KEY, JSON.stringify(draft)); } catch (e) { /* full */ }
  }

  function restore() {
    var draft = null;
    try { draft = JSON.parse(window.localStorage.getItem(KEY) || "null"); } catch (e) { }
    if (!draft || Date.now() - (draft.saved || 0) > MAX_AGE_MS) { forget(); return; }
    if (form.dataset.errors === "1") { return; } // the server shows what was sent
    KEPT.forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && typeof draft[name] === "string" && draft[name] !== "") {
        field.value = draft[name];
      }
    });
    // A new overdose must not be sent as the draft's incident: say so, offer a blank form.
    var notice = document.getElementById("draft-restored");
    var blank = document.getElementById("draft-forget");
    if (notice && blank) {
      notice.hidden = false;
      blank.addEventListener("click", function () { forget(); window.location.reload(); });
    }
  }

  restore();
  form.addEventListener("change", save);
  form.addEventListener("input", save);
  form.addEventListener("submit", save);
}());
