// deputybot console: the live audience count and the template keyword
// lengths on the compose and invite pages, and the live progress of
// a campaign still sending. Plain script, no library; the pages work without it.
(function () {
  'use strict';
  var names = ['all', 'delegation', 'level', 'grassroots', 'groups', 'tag', 'deputy_ids', 'meeting_id'];
  var out = document.getElementById('audience-count');
  if (out && out.closest('form')) {
    var form = out.closest('form');
    var timer = 0;
    var audienceParams = function () {
      var params = new URLSearchParams();
      names.forEach(function (name) {
        form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
          if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) { return; }
          if (el.tagName === 'SELECT' && el.multiple) {
            Array.prototype.forEach.call(el.selectedOptions, function (o) { params.append(name, o.value); });
            return;
          }
          if (el.value !== '') { params.append(name, el.value); }
        });
      });
      return params;
    };
    var update = function () {
      fetch(out.dataset.countUrl + '?' + audienceParams().toString(), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.json(); })
        .then(function (c) {
          out.textContent = c.text || c.error || '';
          out.classList.toggle('bad', !!c.error);
        })
        .catch(function () {});
    };
    var later = function (e) {
      if (e.target.closest('#audience')) {
        clearTimeout(timer);
        timer = setTimeout(update, 300);
      }
    };
    form.addEventListener('input', later);
    form.addEventListener('change', later);
    update();
    // Sending cannot be undone: it is confirmed with the numbers first.
    var send = form.querySelector('button[name=action][value=send]');
    var confirmed = false;
    if (send) {
      form.addEventListener('submit', function (e) {
        if (confirmed || e.submitter !== send) { return; }
        e.preventDefault();
        fetch(out.dataset.countUrl + '?' + audienceParams().toString(), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
          .then(function (r) { return r.json(); })
          .then(function (c) {
            // A problem with the audience is shown by the server beside it.
            if (c.error || window.confirm(c.confirm)) {
              confirmed = true;
              form.requestSubmit(send);
            }
          })
          .catch(function () { confirmed = true; form.requestSubmit(send); });
      });
    }
  }
  document.querySelectorAll('[data-maxlen]').forEach(function (el) {
    var note = document.getElementById(el.id + '-len');
    if (!note) { return; }
    var max = Number(el.dataset.maxlen);
    var check = function () {
      var n = Array.from(el.value.trim().split(/\s+/).join(' ')).length;
      note.textContent = n + ' 字' + (n > max ? '：模板消息每项最多 ' + max + ' 字，超出部分将被截断并以“…”结尾' : '');
      note.classList.toggle('warnc', n > max);
    };
    el.addEventListener('input', check);
    check();
  });
  // A campaign still sending: its progress is read every second and shown
  // in place; once it stops, the page is loaded again for the final ledger.
  var box = document.getElementById('send-progress');
  if (box && box.dataset.moving) {
    var bar = document.getElementById('send-bar');
    var status = document.getElementById('campaign-status');
    var poll = function () {
      fetch(box.dataset.progressUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (p) {
          box.querySelectorAll('[data-p]').forEach(function (el) {
            if (p[el.dataset.p] !== undefined) { el.textContent = p[el.dataset.p]; }
          });
          bar.max = Math.max(p.total, 1);
          bar.value = p.done;
          bar.textContent = p.percent + '%';
          if (status) { status.textContent = p.status_label; }
          if (p.moving) {
            setTimeout(poll, 1000);
          } else {
            window.location.reload();
          }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 1000);
  }
})();
