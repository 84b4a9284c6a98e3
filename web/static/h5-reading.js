// deputybot: reports how long a study material's page was visible, so
// reading time counts only while the deputy is looking at it.
(function () {
  var el = document.getElementById('h5-material');
  var url = el && el.getAttribute('data-read-url');
  if (!url) { return; }
  var pending = 0, last = Date.now(), visible = !document.hidden;
  function tick() {
    var now = Date.now();
    // A phone asleep does not count: at most 30 s between two ticks.
    if (visible) { pending += Math.min((now - last) / 1000, 30); }
    last = now;
  }
  function flush() {
    tick();
    var s = Math.floor(pending);
    if (s < 1) { return; }
    pending -= s;
    var body = new URLSearchParams({ seconds: String(Math.min(s, 120)) });
    if (navigator.sendBeacon && navigator.sendBeacon(url, body)) { return; }
    if (window.fetch) { fetch(url, { method: 'POST', body: body, credentials: 'same-origin', keepalive: true }); }
  }
  document.addEventListener('visibilitychange', function () {
    tick();
    visible = !document.hidden;
    if (!visible) { flush(); }
  });
  setInterval(function () { tick(); if (visible && pending >= 15) { flush(); } }, 5000);
  window.addEventListener('pagehide', flush);
})();
