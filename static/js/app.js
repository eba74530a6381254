// Small progressive enhancements; every page works without this file.
(function () {
  'use strict';
  // Ask before destructive actions: forms with data-confirm.
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) { ev.preventDefault(); }
    }
  });
  // A form that came back with errors: move focus to the summary, whose links lead to each field.
  var summary = document.getElementById('error-summary');
  if (summary) { summary.focus(); }
  // Print buttons (the page has a print stylesheet).
  document.addEventListener('click', function (ev) {
    var el = ev.target;
    if (el instanceof HTMLElement && el.dataset.print !== undefined) { window.print(); }
  });
  // Auto-submit filter selects marked data-autosubmit.
  document.addEventListener('change', function (ev) {
    var el = ev.target;
    if (el instanceof HTMLSelectElement && el.dataset.autosubmit !== undefined && el.form) { el.form.submit(); }
  });
})();
