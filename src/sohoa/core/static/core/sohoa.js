// Small behaviours that were inline attributes before the Content-Security-Policy (script-src 'self'):
// a <select data-autosubmit> submits its form when changed; an <input data-select-on-click> selects
// its text when clicked (a link to copy).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
  });
  document.addEventListener("click", function (event) {
    var el = event.target;
    if (el instanceof HTMLInputElement && el.hasAttribute("data-select-on-click")) el.select();
  });
})();
