// wifwiz progressive enhancement: copy buttons (announced to screen readers), the CSRF header
// for htmx, error summary links that focus their field, and a busy state on long-running forms.
// Every page works without it.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  // announce speaks a short message through the layout's polite live region.
  function announce(msg) {
    var region = document.getElementById("announce");
    if (!region) return;
    region.textContent = "";
    setTimeout(function () { region.textContent = msg; }, 50);
  }
  document.addEventListener("htmx:configRequest", function (e) {
    if (meta) e.detail.headers["X-CSRF-Token"] = meta.content;
  });
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-copy]");
    if (!btn) return;
    var src = document.getElementById(btn.getAttribute("data-copy"));
    if (!src || !navigator.clipboard) return;
    navigator.clipboard.writeText(src.value !== undefined && src.tagName !== "CODE" && src.tagName !== "PRE" ? src.value : src.textContent).then(function () {
      var old = btn.innerHTML;
      var what = (btn.getAttribute("aria-label") || btn.textContent).replace(/^\s*Copy\s*/, "");
      btn.textContent = "Copied";
      announce("Copied " + what + " to the clipboard");
      setTimeout(function () { btn.innerHTML = old; }, 1500);
    });
  });
  // A link of the error summary moves the focus to its field, not just the view.
  document.addEventListener("click", function (e) {
    var link = e.target.closest(".error-summary a[data-field]");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("data-field"));
    if (!field) return;
    e.preventDefault();
    var details = field.closest("details");
    if (details) details.open = true;
    field.focus();
    field.scrollIntoView({ block: "center" });
  });
  document.addEventListener("submit", function (e) {
    var busy = e.target.getAttribute("data-busy");
    if (!busy) return;
    var b = e.target.querySelector("button[type=submit]");
    if (b) { b.disabled = true; b.textContent = busy; }
  });
  document.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
})();
