// Progressive enhancement only: the form works without this file.
// Live word counts, and feedback that updates without reloading the page.
(function () {
  "use strict";
  function words(text) {
    var m = text.match(/[A-Za-z0-9\u00C0-\u024F']+/g);
    return m ? m.length : 0;
  }
  function updateCount(area) {
    var out = document.getElementById(area.id + "-count");
    if (!out) return;
    var n = words(area.value);
    var limit = parseInt(area.getAttribute("data-limit"), 10);
    var text = n + " words";
    var over = false;
    if (limit) {
      text += " of " + limit;
      if (n > limit) { over = true; text += ": " + (n - limit) + " over the limit"; }
    }
    out.textContent = text;
    out.classList.toggle("over", over);
  }
  var form = document.getElementById("nomination-form");
  if (!form || !window.fetch || !window.FormData) return;
  var areas = form.querySelectorAll("textarea");
  for (var i = 0; i < areas.length; i++) {
    areas[i].addEventListener("input", function (e) { updateCount(e.target); });
  }
  form.addEventListener("submit", function (e) {
    var submitter = e.submitter;
    if (submitter && submitter.getAttribute("formaction")) return; // downloads: a normal post
    e.preventDefault();
    var region = document.getElementById("feedback");
    region.setAttribute("aria-busy", "true");
    fetch("/check?fragment=1", { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        region.innerHTML = html;
        region.removeAttribute("aria-busy");
        var focus = document.getElementById("error-summary") || document.getElementById("feedback-heading");
        if (focus) { focus.setAttribute("tabindex", "-1"); focus.focus(); }
      })
      .catch(function () { form.submit(); });
  });
})();
