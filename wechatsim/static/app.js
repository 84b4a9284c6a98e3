// Phone page of the WeChat simulator. Vanilla JS; every URL is relative so
// the page works under any mount prefix (e.g. /sim/).
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var state = { openid: localStorage.getItem('wechatsim.openid') || '', after: 0, gen: 0, user: null, menu: [] };

  function api(path, params, method) {
    var opts = { method: method || (params ? 'POST' : 'GET') };
    if (params) {
      opts.headers = { 'Content-Type': 'application/json' };
      opts.body = JSON.stringify(params);
    }
    return fetch('api/' + path, opts).then(function (r) { return r.json(); });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function safeURL(u) { return /^(https?:)?\/\//i.test(u) || /^[\/.]/.test(u) ? u : '#'; }

  function link(href, label) {
    var a = el('a', null, label);
    a.href = safeURL(href);
    a.target = '_blank';
    a.rel = 'noopener';
    return a;
  }

  // Text messages may carry <a href="..">..</a>; WeChat renders them as
  // links, and weixin://bizmsgmenu links send their content as text.
  function renderText(parent, text) {
    var re = /<a\s+[^>]*href=["']([^"']*)["'][^>]*>([\s\S]*?)<\/a>/gi, last = 0, m;
    while ((m = re.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var href = m[1].replace(/&amp;/g, '&'), label = m[2];
      if (/^weixin:\/\/bizmsgmenu/i.test(href)) {
        var q = new URLSearchParams(href.split('?')[1] || '');
        var a = el('a', null, label);
        a.href = '#';
        a.onclick = (function (c) { return function (ev) { ev.preventDefault(); sendText(c); }; })(q.get('msgmenucontent') || label);
        parent.appendChild(a);
      } else {
        parent.appendChild(link(href, label));
      }
      last = re.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  var kindLabel = { passive: '被动回复', custom: '客服消息', template: '模板消息' };

  function botRow(content, kind) {
    var wrap = el('div');
    if (kindLabel[kind]) wrap.appendChild(el('div', 'kind', kindLabel[kind]));
    var row = el('div', 'row bot');
    row.appendChild(el('div', 'avatar', '人大'));
    row.appendChild(content);
    wrap.appendChild(row);
    return wrap;
  }

  function renderMessage(m) {
    if (m.kind === 'system') {
      var n = el('div', 'note err'); n.appendChild(el('span', null, m.text)); return n;
    }
    if (m.kind === 'user') {
      if (m.msg_type === 'event') {
        var ev = el('div', 'note'); ev.appendChild(el('span', null, m.text || m.event)); return ev;
      }
      var row = el('div', 'row me');
      var b = el('div', 'bubble', m.text || ('[' + m.msg_type + ']'));
      row.appendChild(b);
      row.appendChild(el('div', 'avatar', '我'));
      return row;
    }
    var c;
    if (m.msg_type === 'template') {
      c = el('div', 'card');
      // As a phone shows it: the template's title and keyword names; the
      // raw id and keys only for a template nobody described.
      c.appendChild(el('div', 'hd', m.template_title || '服务通知'));
      var state = m.status && m.status !== 'success' ? m.status : '';
      var meta = m.template_title ? '' : '模板 ' + m.template_id;
      if (state) { meta += (meta ? ' · ' : '') + state; }
      if (meta) { c.appendChild(el('div', 'meta', meta)); }
      var fs = el('div', 'fields');
      (m.field_order || []).forEach(function (k) {
        var f = el('div', 'f');
        f.appendChild(el('span', 'k', (m.field_labels || {})[k] || k));
        f.appendChild(el('span', 'v', (m.fields || {})[k]));
        fs.appendChild(f);
      });
      c.appendChild(fs);
      if (m.url) { var ft = el('div', 'ft'); ft.appendChild(link(m.url, '详情 ›')); c.appendChild(ft); }
    } else if (m.msg_type === 'news') {
      c = el('div', 'card');
      (m.articles || []).forEach(function (a) {
        var hd = el('div', 'hd');
        hd.appendChild(a.url ? link(a.url, a.title) : document.createTextNode(a.title));
        c.appendChild(hd);
        if (a.description) c.appendChild(el('div', 'desc', a.description));
      });
    } else if (m.msg_type === 'msgmenu') {
      c = el('div', 'bubble');
      if (m.text) c.appendChild(el('div', null, m.text));
      (m.menu_items || []).forEach(function (it) {
        var a = el('a', 'menuitem', it.content);
        a.onclick = function () { sendText(it.content); };
        c.appendChild(a);
      });
      if (m.tail) c.appendChild(el('div', null, m.tail));
    } else if (m.msg_type === 'text') {
      c = el('div', 'bubble');
      renderText(c, m.text || '');
    } else {
      c = el('div', 'bubble', '[' + m.msg_type + ' 消息]');
    }
    return botRow(c, m.kind);
  }

  function append(msgs) {
    var chat = $('chat');
    var atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 60;
    msgs.forEach(function (m) {
      chat.appendChild(renderMessage(m));
      if (m.seq > state.after) state.after = m.seq;
    });
    if (msgs.length && (atBottom || msgs.length > 3)) chat.scrollTop = chat.scrollHeight;
  }

  function setUser(u) {
    state.user = u;
    var f = $('followBtn');
    f.textContent = u && u.following ? '取消关注' : '关注';
    f.className = u && u.following ? 'warn' : 'primary';
  }

  // Long-poll loop for the selected user; a new generation cancels the old.
  function poll(gen) {
    if (gen !== state.gen || !state.openid) return;
    api('messages?openid=' + encodeURIComponent(state.openid) + '&after=' + state.after + '&wait=20')
      .then(function (r) {
        if (gen !== state.gen) return;
        append(r.messages || []);
        setUser(r.user);
        poll(gen);
      })
      .catch(function () { setTimeout(function () { poll(gen); }, 1000); });
  }

  function selectUser(openid) {
    state.openid = openid;
    state.after = 0;
    state.gen++;
    localStorage.setItem('wechatsim.openid', openid);
    $('chat').innerHTML = '';
    poll(state.gen);
  }

  function loadUsers(select) {
    return api('state').then(function (st) {
      $('acct').textContent = '人大代表服务号（' + st.original_id + '）';
      var w = $('warn');
      if (!st.callback_url) { w.textContent = '尚未设置回调地址，消息不会送达机器人。'; w.classList.remove('hidden'); }
      else w.classList.add('hidden');
      var sel = $('users');
      sel.innerHTML = '';
      (st.users || []).forEach(function (u) {
        var o = el('option', null, u.nickname + '（' + u.openid + '）' + (u.following ? '' : ' · 未关注'));
        o.value = u.openid;
        sel.appendChild(o);
      });
      var want = select || state.openid;
      if (!(st.users || []).some(function (u) { return u.openid === want; })) want = '';
      if (!want && st.users && st.users.length) want = st.users[0].openid;
      if (want) { sel.value = want; if (want !== state.openid || state.gen === 0) selectUser(want); }
      return st;
    });
  }

  function ensureUser() {
    if (state.openid) return Promise.resolve();
    return api('users', {}).then(function (u) { return loadUsers(u.openid); });
  }

  function action(path, params) {
    return ensureUser().then(function () {
      params.openid = state.openid;
      return api(path, params);
    }).then(function (r) {
      if (r && !r.ok && r.error) console.warn('wechatsim:', r.error);
      loadUsers();
      return r;
    });
  }

  function sendText(t) {
    t = (t || '').trim();
    if (!t) return;
    action('send', { text: t });
  }

  function closePop() { var p = document.querySelector('.pop'); if (p) p.remove(); }

  function pressButton(b) {
    closePop();
    if (b.type === 'view') {
      window.open(safeURL(b.url), '_blank', 'noopener');
      action('view', { url: b.url });
    } else if (b.key) {
      action('click', { key: b.key });
    }
  }

  function renderMenu(buttons) {
    var bar = $('menubar');
    bar.innerHTML = '';
    bar.classList.toggle('hidden', !buttons.length);
    buttons.forEach(function (b, i) {
      var mb = el('div', 'mb', (b.sub_button && b.sub_button.length ? '≡ ' : '') + b.name);
      mb.onclick = function (ev) {
        ev.stopPropagation();
        var open = document.querySelector('.pop');
        var same = open && open.dataset.idx === String(i);
        closePop();
        if (!b.sub_button || !b.sub_button.length) { pressButton(b); return; }
        if (same) return;
        var pop = el('div', 'pop');
        pop.dataset.idx = String(i);
        b.sub_button.forEach(function (sb) {
          var d = el('div', null, sb.name);
          d.onclick = function (e) { e.stopPropagation(); pressButton(sb); };
          pop.appendChild(d);
        });
        pop.style.left = (100 * i / buttons.length) + '%';
        pop.style.width = (100 / buttons.length) + '%';
        bar.appendChild(pop);
      };
      bar.appendChild(mb);
    });
  }

  function loadMenu() {
    api('menu').then(function (r) {
      var s = JSON.stringify(r.button || []);
      if (s !== JSON.stringify(state.menu)) { state.menu = r.button || []; renderMenu(state.menu); }
    }).catch(function () {});
  }

  function showFaults(list) {
    var box = $('faults');
    box.innerHTML = '';
    if (!list.length) { box.textContent = '当前没有故障。'; return; }
    list.forEach(function (f) {
      box.appendChild(el('div', null, (f.path || '全部接口') + '：' +
        (f.errcode ? '错误码 ' + f.errcode : '') + (f.latency_ms ? ' 延迟 ' + f.latency_ms + 'ms' : '') +
        (f.timeout_after_read ? ' 读后超时' : '') + ' 概率 ' + (f.rate || 1) +
        (f.count ? ' 剩余 ' + f.count + ' 次' : ' 不限次数')));
    });
  }

  $('sendBtn').onclick = function () { sendText($('text').value); $('text').value = ''; $('text').focus(); };
  $('text').onkeydown = function (e) { if (e.key === 'Enter' && !e.isComposing) $('sendBtn').onclick(); };
  $('users').onchange = function () { selectUser(this.value); };
  $('newUser').onclick = function () {
    var nick = prompt('模拟用户昵称（可留空）', '');
    if (nick === null) return;
    api('users', { nickname: nick }).then(function (u) { return loadUsers(u.openid); });
  };
  $('followBtn').onclick = function () {
    action(state.user && state.user.following ? 'unfollow' : 'follow', {});
  };
  $('addFault').onclick = function () {
    api('faults', {
      path: $('fPath').value, errcode: $('fCode').value, rate: $('fRate').value,
      latency_ms: $('fLat').value, count: $('fCount').value, timeout_after_read: $('fHang').checked
    }).then(function (r) { if (Array.isArray(r)) showFaults(r); else alert(r.error || '添加失败'); });
  };
  $('clearFaults').onclick = function () { api('faults', null, 'DELETE').then(showFaults); };
  $('expire').onclick = function () { api('expire_tokens', {}).then(function () { alert('所有 access_token 已过期'); }); };
  document.addEventListener('click', closePop);

  loadUsers().then(function (st) { if (!st.users || !st.users.length) ensureUser(); });
  loadMenu();
  api('faults').then(showFaults);
  setInterval(loadMenu, 5000);
})();
