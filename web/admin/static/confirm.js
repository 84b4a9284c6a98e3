// deputybot console: a confirmation, with the numbers, before a form does
// what cannot be undone. A form or a submit button with data-confirm asks
// its text, followed by the text of the element data-confirm-count names
// (the live audience count); the sign-in form (data-attendance) counts the
// ticked boxes. Without script the server still refuses what needs
// confirming and asks on a page.
(function () {
  'use strict';
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); }
    });
  });
  document.querySelectorAll('button[data-confirm]').forEach(function (btn) {
    btn.addEventListener('click', function (e) {
      var msg = btn.dataset.confirm;
      var count = btn.dataset.confirmCount && document.querySelector(btn.dataset.confirmCount);
      if (count && count.textContent.trim()) { msg += count.textContent.trim() + '。'; }
      if (!window.confirm(msg)) { e.preventDefault(); }
    });
  });
  document.querySelectorAll('form[data-attendance]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      var boxes = form.querySelectorAll('input[type=checkbox][name=attended]');
      var ticked = form.querySelectorAll('input[type=checkbox][name=attended]:checked').length;
      var absent = boxes.length - ticked;
      var none = form.querySelector('input[name=none_attended]');
      var msg = ticked === 0
        ? '没有勾选任何到会的代表：保存后本页 ' + absent + ' 位代表都将记为缺席。确定无人到会吗？'
        : '将保存本页签到：到会 ' + ticked + ' 位，缺席 ' + absent + ' 位。确定保存吗？';
      if (!window.confirm(msg)) { e.preventDefault(); return; }
      if (none) { none.value = ticked === 0 ? '1' : ''; }
    });
  });
})();
