// Small progressive enhancements; every page works without this file.
(function () {
  'use strict';
  // Ask before destructive actions: forms, or the button that submits one, with data-confirm.
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    var button = ev.submitter;
    var ask = (button && button.dataset && button.dataset.confirm) ||
      (form instanceof HTMLFormElement && form.dataset.confirm);
    if (ask && !window.confirm(ask)) { ev.preventDefault(); }
  });
  // A form that came back with errors: move focus to the summary, whose links lead to each field.
  var summary = document.getElementById('error-summary');
  if (summary) { summary.focus(); }
  // Print buttons (the page has a print stylesheet).
  document.addEventListener('click', function (ev) {
    var el = ev.target;
    if (el instanceof HTMLElement && el.dataset.print !== undefined) { window.print(); }
  });
  // The rank list follows the employee's status (PNS ranks or PPPK golongan).
  var status = document.getElementById('status');
  var rank = document.getElementById('rank');
  if (status instanceof HTMLSelectElement && rank instanceof HTMLSelectElement) {
    status.addEventListener('change', function () {
      rank.querySelectorAll('optgroup[data-status]').forEach(function (g) {
        g.disabled = g.getAttribute('data-status') !== status.value;
      });
      var chosen = rank.selectedOptions[0];
      if (chosen && chosen.parentElement instanceof HTMLOptGroupElement && chosen.parentElement.disabled) { rank.value = ''; }
    });
  }
  // A result being computed (the plan): look again every few seconds until it is there.
  var poll = document.querySelector('[data-poll]');
  if (poll instanceof HTMLElement) {
    window.setTimeout(function () { window.location.reload(); }, (Number(poll.dataset.poll) || 3) * 1000);
  }
  // Auto-submit filter selects marked data-autosubmit.
  document.addEventListener('change', function (ev) {
    var el = ev.target;
    if (el instanceof HTMLSelectElement && el.dataset.autosubmit !== undefined && el.form) { el.form.submit(); }
  });
})();
