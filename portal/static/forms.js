/* Statement Portal — buttons that change something take effect once.
 *
 * Progressive enhancement for every form marked `data-once` (or a submit button marked so):
 * once it is sent, its buttons are disabled and the pressed one says it is busy, so a
 * double click sends one request. The server answers a repeat anyway (a second tab, a
 * retry), so nothing depends on this script.
 */
(function () {
  "use strict";

  function buttonsOf(form) {
    return Array.prototype.slice.call(form.querySelectorAll("button[type=submit], button:not([type])"))
      .concat(Array.prototype.slice.call(document.querySelectorAll('button[form="' + form.id + '"]')));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    var once = form.hasAttribute("data-once") || (submitter && submitter.hasAttribute("data-once"));
    if (!once || event.defaultPrevented) {
      return;
    }
    if (form.dataset.sent) {
      event.preventDefault();   // already on its way: a second press sends nothing
      return;
    }
    form.dataset.sent = "1";
    // After the browser has collected the fields, so the pressed button's value still goes.
    window.setTimeout(function () {
      buttonsOf(form).forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      });
      if (submitter && submitter.dataset.busy) {
        submitter.textContent = submitter.dataset.busy;
      }
    }, 0);
  });

  // Coming back with the Back button shows the page as it was left: usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent]"), function (form) {
      delete form.dataset.sent;
      buttonsOf(form).forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
    });
  });
}());
