// wifwiz progressive enhancement: copy buttons (announced to screen readers), the CSRF header
// for htmx, error summary links that focus their field, a busy state on long-running forms, the
// issuer URL derived as it is typed, and a warning before leaving a step with unsaved edits.
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

  // focusField opens the <details> a field sits in, then moves the focus to it.
  function focusField(field) {
    var details = field.closest("details");
    if (details) details.open = true;
    field.focus();
    field.scrollIntoView({ block: "center" });
  }
  // A link of the error summary moves the focus to its field, not just the view.
  document.addEventListener("click", function (e) {
    var link = e.target.closest(".error-summary a[data-field], a[data-focus]");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("data-field") || link.getAttribute("data-focus"));
    if (!field) return;
    e.preventDefault();
    focusField(field);
  });
  // A page opened at a field's fragment (…#ca_pem) focuses that field.
  if (location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) focusField(target);
  }

  // Busy state: the button pressed says what is happening and cannot be pressed twice.
  var submitted = null;
  document.addEventListener("submit", function (e) {
    submitted = e.target;
    var b = e.submitter || e.target.querySelector("button[type=submit]");
    var busy = (b && b.getAttribute("data-busy")) || e.target.getAttribute("data-busy");
    if (!busy || !b) return;
    // Disabled after this event, so that the button's name and value are still sent.
    setTimeout(function () { b.disabled = true; b.textContent = busy; }, 0);
  });

  // Unsaved edits: a step's form (data-warn-unsaved) whose fields differ from what the page was
  // rendered with, or that was rendered from values not saved yet (data-unsaved), asks before the
  // page is left other than by submitting it. Secrets typed once (password fields) do not count.
  function changed(form) {
    if (form.hasAttribute("data-unsaved")) return true;
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (el.disabled || el.type === "password" || el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) return true;
      } else if (el.tagName === "SELECT") {
        var def = 0;
        for (var j = 0; j < el.options.length; j++) if (el.options[j].defaultSelected) def = j;
        if (el.selectedIndex !== def) return true;
      } else if (el.value !== el.defaultValue) {
        return true;
      }
    }
    return false;
  }
  window.addEventListener("beforeunload", function (e) {
    var forms = document.querySelectorAll("form[data-warn-unsaved]");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i] === submitted) continue;
      if (changed(forms[i])) {
        e.preventDefault();
        e.returnValue = "";
        return "";
      }
    }
  });

  // The issuer URL of step 1, derived as authentik does (wif.IssuerFor) while it is typed.
  var derived = document.querySelector("[data-derive]");
  var urlInput = document.getElementById("authentik_url"), slugInput = document.getElementById("app_slug");
  if (derived && urlInput && slugInput) {
    var path = derived.getAttribute("data-issuer-path");
    var derive = function () {
      var base = urlInput.value.trim().replace(/\/+$/, "");
      var slug = slugInput.value.trim();
      var mode = urlInput.form.querySelector('input[name="issuer_mode"]:checked');
      var ok = /^https?:\/\/[^\/\s?#]+(\/[^\s?#]*)?$/.test(base) && /^[a-z0-9_-]+$/.test(slug);
      derived.hidden = false;
      derived.querySelector("[data-derive-empty]").hidden = ok;
      derived.querySelector("[data-derive-values]").hidden = !ok;
      if (!ok) return;
      var perProvider = base + path + slug + "/";
      document.getElementById("issuer-url").textContent = mode && mode.value === "global" ? base + "/" : perProvider;
      document.getElementById("discovery-base").textContent = perProvider.replace(/\/$/, "");
    };
    urlInput.form.addEventListener("input", derive);
    urlInput.form.addEventListener("change", derive);
  }

  document.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
})();
