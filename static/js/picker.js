// The person picker (templates/people/picker.html): as a name or part of a NIP is typed, ask
// /people/search and offer the matches as buttons; choosing one adds it to the ticked list and
// clears what was typed. Without this file the typed text is resolved when the form is posted.
(function () {
  'use strict';
  function purposeOf(box) {
    if (box.hasAttribute('data-picker-role') && box.closest('form')) {
      var role = box.closest('form').querySelector('input[name=role]:checked');
      return role && role.value === 'staff' ? 'manage' : 'learning';
    }
    return box.dataset.picker || 'learning';
  }
  function setUp(box) {
    var field = box.dataset.field;
    // The chosen ids' inputs: `{field}_id` checkboxes for people; a form may name them itself
    // (the employee form's positions are `position` radios).
    var idName = box.dataset.idName || field + '_id';
    var idType = box.dataset.idType || 'checkbox';
    var multiple = box.hasAttribute('data-multiple');
    // Choices add up (several people, or a campaign's units typed one at a time).
    var many = multiple || box.hasAttribute('data-many');
    var input = document.getElementById(field);
    var picked = box.querySelector('.picked');
    var results = box.querySelector('.picker-results');
    if (!input || !picked || !results) { return; }
    var timer = null;
    var seq = 0;
    function typed() {
      if (!multiple) { return input.value.trim(); }
      var lines = input.value.split('\n');
      return lines[lines.length - 1].trim();
    }
    function clearTyped() {
      if (!multiple) { input.value = ''; return; }
      var lines = input.value.split('\n');
      lines.pop();
      input.value = lines.length ? lines.join('\n') + '\n' : '';
    }
    function close() { results.textContent = ''; }
    function choose(p) {
      if (!many) {
        picked.querySelectorAll('input[type=checkbox], input[type=radio]').forEach(function (c) {
          var li = c.closest('li');
          if (li) { li.remove(); }
        });
      }
      // One person only: whatever else was ticked (a list of matches offered) is unticked.
      box.querySelectorAll('input[name="' + idName + '"]').forEach(function (c) {
        if (c.value === String(p.id)) { c.checked = true; } else if (!many) { c.checked = false; }
      });
      if (!picked.querySelector('input[value="' + p.id + '"]')) {
        var li = document.createElement('li');
        var label = document.createElement('label');
        label.className = 'check';
        var box2 = document.createElement('input');
        box2.type = idType;
        box2.name = idName;
        box2.value = String(p.id);
        box2.checked = true;
        var span = document.createElement('span');
        var strong = document.createElement('strong');
        strong.textContent = p.name;
        var muted = document.createElement('span');
        muted.className = 'muted';
        muted.textContent = ' ' + detail(p);
        span.appendChild(strong);
        span.appendChild(muted);
        label.appendChild(box2);
        label.appendChild(document.createTextNode(' '));
        label.appendChild(span);
        li.appendChild(label);
        picked.appendChild(li);
      }
      box.querySelectorAll('.none-yet').forEach(function (n) { n.remove(); });
      clearTyped();
      close();
      input.focus();
    }
    function detail(p) {
      return [p.position, p.unit, p.nip].filter(function (x) { return x; }).join(' · ');
    }
    function show(data) {
      close();
      var people = data.people || [];
      if (!people.length) {
        var none = document.createElement('p');
        none.className = 'muted';
        none.textContent = box.dataset.none || '';
        results.appendChild(none);
        return;
      }
      var head = document.createElement('p');
      head.className = 'hint';
      head.textContent = box.dataset.choose || '';
      results.appendChild(head);
      var ul = document.createElement('ul');
      ul.className = 'plain';
      people.forEach(function (p) {
        var li = document.createElement('li');
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'pick';
        b.dataset.id = String(p.id);
        var strong = document.createElement('strong');
        strong.textContent = p.name;
        var muted = document.createElement('span');
        muted.className = 'muted';
        muted.textContent = detail(p);
        b.appendChild(strong);
        b.appendChild(document.createTextNode(' '));
        b.appendChild(muted);
        b.addEventListener('click', function () { choose(p); });
        li.appendChild(b);
        ul.appendChild(li);
      });
      results.appendChild(ul);
      if (data.more) {
        var more = document.createElement('p');
        more.className = 'hint';
        more.textContent = box.dataset.more || '';
        results.appendChild(more);
      }
    }
    // Ask for the matches of what is typed now (`wait`: after a pause in the typing).
    function search(wait) {
      if (timer) { window.clearTimeout(timer); }
      var q = typed();
      if (q.length < 2) { close(); return; }
      timer = window.setTimeout(function () {
        var mine = ++seq;
        var url = box.dataset.search
          ? box.dataset.search + 'q=' + encodeURIComponent(q)
          : '/people/search?for=' + encodeURIComponent(purposeOf(box)) + '&q=' + encodeURIComponent(q);
        fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : { people: [] }; })
          .then(function (data) { if (mine === seq) { show(data); } })
          .catch(function () { close(); });
      }, wait);
    }
    input.addEventListener('input', function () {
      // The matches shown are those of the text before: never chosen by Enter for this one.
      seq++;
      close();
      search(200);
    });
    // Arrow down from the field goes to the first match; Escape closes the list.
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'ArrowDown') {
        var first = results.querySelector('button.pick');
        if (first) { ev.preventDefault(); first.focus(); }
      } else if (ev.key === 'Escape') {
        close();
      } else if (ev.key === 'Enter' && many && !multiple) {
        // Enter picks the only match of what is typed (or goes to the first, or asks for them
        // now) instead of sending the whole form.
        ev.preventDefault();
        var picks = results.querySelectorAll('button.pick');
        if (picks.length === 1) { picks[0].click(); }
        else if (picks.length) { picks[0].focus(); }
        else { search(0); }
      }
    });
  }
  document.querySelectorAll('[data-picker]').forEach(setUp);
})();
