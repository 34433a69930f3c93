/* 党建 shared page behaviour, loaded by base.html (and the stand-alone portal/print pages).
 * The CSP allows no inline handlers (script-src 'self' 'nonce-…', dangjian/core/security.py), so pages
 * declare behaviour with data attributes and this one file wires them up by event delegation:
 *   data-confirm="…"   on a link or submit button: ask first, cancel the click when refused;
 *   data-print         print the page;            data-back   go back one page;
 *   data-autosubmit    on a select/checkbox: submit its form when it changes;
 *   data-prompt="…" data-prompt-field="name"   on a form: ask for a text (e.g. a rejection reason) on
 *                      submit, put it into the named field, cancel when left empty. */
(function () {
  "use strict";
  // htmx would build hx-on / js: / trigger filters with Function(), which the CSP refuses anyway:
  // turn it off so a stray use fails with a clear htmx:evalDisallowedError instead of a CSP report.
  if (window.htmx) { window.htmx.config.allowEval = false; }

  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-print],[data-back],[data-confirm]");
    if (!el) return;
    if (el.hasAttribute("data-confirm") && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault(); e.stopImmediatePropagation(); return;
    }
    if (el.hasAttribute("data-print")) { e.preventDefault(); window.print(); }
    if (el.hasAttribute("data-back")) { e.preventDefault(); history.back(); }
  }, true);

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-prompt")) return;
    var answer = window.prompt(form.getAttribute("data-prompt"));
    var field = form.elements[form.getAttribute("data-prompt-field") || "reason"];
    if (!answer || !answer.trim() || !field) { e.preventDefault(); return; }
    field.value = answer.trim();
  });
})();
