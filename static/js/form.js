// form.js — the respondent's questionnaire in the browser.
//
// It shows and hides questions by their show_if conditions (the same compiled
// expressions and three-valued logic as survey/expr.go), shows one section at
// a time, saves a few seconds after typing stops and on leaving a field
// (PUT /api/v1/r/{token} with the version it started from), shows a
// colleague's answers that the server merged with ours, asks question by
// question when both changed the same answers (409), warns about
// cross-field rules as soon as both fields are filled, and submits. When
// the server is offline or briefly unavailable (503) it says so, keeps what
// was typed and tries again with back-off.
// In a coordinator's preview (D.preview) the same page checks instead of
// saving: D.api is the preview's check (POST {answers, submit}), which
// answers as the respondent's API does and stores nothing.
// Without this script the form still works: it posts to the server.
(function () {
  'use strict';

  var dataEl = document.getElementById('form-data');
  var form = document.getElementById('answers');
  if (!dataEl || !form) return;
  var D = JSON.parse(dataEl.textContent);
  var M = D.msgs || {};
  var Q = D.questions || [];
  var R = D.rules || [];
  var byCode = {};
  Q.forEach(function (q) { byCode[q.code] = q; });

  var version = D.version;
  var lastSaved = D.saved || {};   // canonical answers the server holds
  var rejected = {};               // code -> JSON of a value the server (or we) refused
  var dirty = false;
  var inflight = null;             // the running save, a Promise
  var again = false;               // a change arrived while saving
  var timer = null;
  var retryDelay = 2000;
  var conflict = null;             // {pending: {code: true}} while questions await a choice
  var stopped = false;             // closed round or dead link: no more saving
  var leaving = false;             // a "confirm" button posts the form itself
  var savedAt = null;              // when the server last confirmed our answers
  var merged = [];                 // colleague's questions merged by the last save

  var stateEl = document.getElementById('save-state');
  var srEl = document.getElementById('sr-status');
  var versionEl = document.getElementById('version');
  var submitBtn = document.getElementById('submit-button');

  // ---- small helpers ----

  // fmt fills a message's named placeholders ("Saglabāts {time}") from
  // vals ({time: '14:02'}); the messages are the wording catalog's
  // (internal/wording), unfilled.
  function fmt(s, vals) {
    return String(s).replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(vals, name) ? String(vals[name]) : all;
    });
  }
  function $(id) { return document.getElementById(id); }
  function wrapOf(code) { return $('qw-' + code); }
  function inputs(code) { return form.querySelectorAll('[name="' + code + '"]'); }
  function announce(text) { if (srEl) { srEl.textContent = ''; setTimeout(function () { srEl.textContent = text; }, 50); } }
  function stable(v) {
    if (v === undefined) return 'undefined';
    if (Array.isArray(v)) return '[' + v.map(stable).join(',') + ']';
    if (v && typeof v === 'object') {
      return '{' + Object.keys(v).sort().map(function (k) { return JSON.stringify(k) + ':' + stable(v[k]); }).join(',') + '}';
    }
    return JSON.stringify(v);
  }
  function timeOf(iso) {
    var d = iso ? new Date(iso) : new Date();
    try {
      return d.toLocaleTimeString(D.lang === 'en' ? 'en-GB' : 'lv-LV', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Riga' });
    } catch (e) {
      return ('0' + d.getHours()).slice(-2) + ':' + ('0' + d.getMinutes()).slice(-2);
    }
  }

  // parseNumber reads a number as people type it: "1 234,50" (see
  // survey.ParseNumberInput). NaN when it is not a number.
  function parseNumber(s) {
    s = String(s).trim();
    // As the server: a number longer than 40 characters cannot be an answer
    // (and JavaScript would make a huge one Infinity, sent as null).
    if (s.length > 40) return NaN;
    var out = '', sep = false;
    for (var i = 0; i < s.length; i++) {
      var ch = s[i];
      if (ch >= '0' && ch <= '9') out += ch;
      else if (ch === ',' || ch === '.') { if (sep) return NaN; sep = true; out += '.'; }
      else if ((ch === '-' || ch === '\u2212') && i === 0) out += '-';
      else if (ch === ' ' || ch === '\u00a0' || ch === '\u202f' || ch === "'") { if (sep) return NaN; }
      else return NaN;
    }
    if (out === '' || out === '-' || out === '.' || out === '-.') return NaN;
    var n = Number(out);
    return isFinite(n) ? n : NaN;
  }
  function formatNumber(n) {
    var s = String(n);
    return D.lang === 'en' ? s : s.replace('.', ',');
  }

  // ---- show_if: the compiled expressions, three-valued (null = undecided) ----

  function refValue(v) {
    if (v === undefined || v === null) return null;
    if (Array.isArray(v) && v.length === 0) return null;
    return v;
  }
  function ev(e, a) {
    var l, r, i;
    switch (e.op) {
      case 'num': return e.num || 0;
      case 'str': return e.str || '';
      case 'bool': return !!e.bool;
      case 'ref': return refValue(a[e.str]);
      case 'not': l = ev(e.args[0], a); return typeof l === 'boolean' ? !l : null;
      case 'and': case 'or': {
        var stop = e.op === 'or', undecided = false;
        for (i = 0; i < e.args.length; i++) {
          var b = ev(e.args[i], a);
          if (typeof b !== 'boolean') { undecided = true; continue; }
          if (b === stop) return stop;
        }
        return undecided ? null : !stop;
      }
      case 'neg': l = ev(e.args[0], a); return typeof l === 'number' ? -l : null;
      case '+': case '-': case '*': case '/': {
        l = ev(e.args[0], a); r = ev(e.args[1], a);
        if (typeof l !== 'number' || typeof r !== 'number') return null;
        var v = e.op === '+' ? l + r : e.op === '-' ? l - r : e.op === '*' ? l * r : (r === 0 ? null : l / r);
        return v === null || !isFinite(v) ? null : v;
      }
      case '<': case '<=': case '>': case '>=':
        l = ev(e.args[0], a); r = ev(e.args[1], a);
        if (typeof l !== 'number' || typeof r !== 'number') return null;
        return e.op === '<' ? l < r : e.op === '<=' ? l <= r : e.op === '>' ? l > r : l >= r;
      case '=': case '!=':
        l = ev(e.args[0], a); r = ev(e.args[1], a);
        if (l === null || r === null || Array.isArray(l) || Array.isArray(r)) return null;
        return (l === r) === (e.op === '=');
      case 'selected': {
        var got = refValue(a[e.args[0].str]);
        if (got === null) return null;
        for (i = 1; i < e.args.length; i++) {
          var o = e.args[i].str;
          if (got === o || (Array.isArray(got) && got.indexOf(o) >= 0)) return true;
        }
        return false;
      }
      case 'answered': return refValue(a[e.args[0].str]) !== null;
      case 'count': l = refValue(a[e.args[0].str]); return Array.isArray(l) ? l.length : null;
    }
    return null;
  }

  // ---- reading and writing the form ----

  // read returns {value, raw, bad}: value is the answer as the API wants it
  // (undefined when unanswered), bad is true for text in a number field.
  function read(q) {
    var els = inputs(q.code), i, v;
    switch (q.type) {
      case 'single': case 'yesno':
        for (i = 0; i < els.length; i++) if (els[i].checked) v = els[i].value;
        if (q.type === 'yesno' && v !== undefined) v = v === 'true';
        return { value: v };
      case 'multi': {
        var list = [];
        for (i = 0; i < els.length; i++) if (els[i].checked) list.push(els[i].value);
        return { value: list.length ? list : undefined };
      }
      case 'int': case 'decimal': case 'money': case 'percent': case 'year': {
        var s = els.length ? els[0].value : '';
        if (s.trim() === '') return { value: undefined };
        var n = parseNumber(s);
        return isNaN(n) ? { value: s, bad: true } : { value: n };
      }
      case 'longtext': {
        var t = els.length ? els[0].value.replace(/\r\n/g, '\n').trim() : '';
        return { value: t === '' ? undefined : t };
      }
      default: {
        var u = els.length ? els[0].value.trim().replace(/\s+/g, ' ') : '';
        return { value: u === '' ? undefined : u };
      }
    }
  }
  function otherChosen(q, value) {
    return q.other && (value === 'other' || (Array.isArray(value) && value.indexOf('other') >= 0));
  }
  function readOther(q) {
    var el = $('q-' + q.code + '_other');
    var t = el ? el.value.trim().replace(/\s+/g, ' ') : '';
    return t === '' ? undefined : t;
  }

  // collect walks the questions in order, applies show_if, and returns what
  // to send. A value refused earlier and not changed since is replaced by the
  // value the server holds, so one bad field never stops the others saving.
  // With raw, every value goes as typed (a preview's submit check).
  function collect(raw) {
    var send = {}, seen = {}, bad = {};
    Q.forEach(function (q) {
      var shown = !q.showIf || ev(q.showIf, seen) === true;
      var w = wrapOf(q.code);
      if (w) w.hidden = !shown;
      if (!shown) return;
      var r = read(q);
      if (r.value !== undefined && !r.bad) seen[q.code] = r.value;
      put(send, q.code, r.value, r.bad, bad, raw);
      var other = otherChosen(q, r.value) ? readOther(q) : undefined;
      var ow = form.querySelector('#qw-' + q.code + ' .other');
      if (ow) ow.hidden = !otherChosen(q, r.value);
      put(send, q.code + '_other', other, false, bad, raw);
    });
    return { send: send, bad: bad, seen: seen };
  }
  function put(send, key, value, isBad, bad, raw) {
    if (value === undefined) return;
    if (!raw && (isBad || rejected[key] === stable(value))) {
      bad[key] = true;
      if (lastSaved[key] !== undefined) send[key] = lastSaved[key];
      return;
    }
    send[key] = value;
  }

  // snapshot and restore the raw state of one question (for conflicts).
  function snapshot(code) {
    var s = { checked: [], value: null, other: null };
    var els = inputs(code);
    for (var i = 0; i < els.length; i++) {
      if (els[i].type === 'radio' || els[i].type === 'checkbox') { if (els[i].checked) s.checked.push(els[i].value); }
      else s.value = els[i].value;
    }
    var o = $('q-' + code + '_other');
    if (o) s.other = o.value;
    return s;
  }
  function restore(code, s) {
    var els = inputs(code);
    for (var i = 0; i < els.length; i++) {
      if (els[i].type === 'radio' || els[i].type === 'checkbox') els[i].checked = s.checked.indexOf(els[i].value) >= 0;
      else els[i].value = s.value === null ? '' : s.value;
    }
    var o = $('q-' + code + '_other');
    if (o) o.value = s.other === null ? '' : s.other;
  }
  function describe(code, s) {
    var parts = [];
    s.checked.forEach(function (v) {
      var lab = form.querySelector('label[for="q-' + code + '-' + v + '"]');
      parts.push(lab ? lab.textContent : v);
    });
    if (s.value) parts.push(s.value);
    if (s.other) parts.push(s.other);
    return parts.join('; ') || '—';
  }
  // valueKey is a question's answer as the server would read it (so that
  // "12 345" and 12345 count as the same).
  function valueKey(q) {
    var r = read(q);
    return stable([r.bad ? 'text:' + r.value : r.value, otherChosen(q, r.value) ? readOther(q) : undefined]);
  }

  // setAnswers writes canonical answers into the form (only the questions
  // in codes, when given).
  function setAnswers(a, codes) {
    Q.forEach(function (q) {
      if (codes && !codes[q.code]) return;
      var v = a[q.code], els = inputs(q.code), i;
      for (i = 0; i < els.length; i++) {
        var el = els[i];
        if (el.type === 'radio' || el.type === 'checkbox') {
          el.checked = v !== undefined && (Array.isArray(v) ? v.indexOf(el.value) >= 0 : String(v) === el.value);
        } else if (v === undefined) el.value = '';
        else el.value = typeof v === 'number' ? formatNumber(v) : v;
      }
      var o = $('q-' + q.code + '_other');
      if (o) o.value = a[q.code + '_other'] || '';
    });
  }

  // ---- errors at questions ----

  function labelOf(code) {
    var w = wrapOf(code);
    var el = w && (w.querySelector('legend') || w.querySelector('.q-label'));
    if (!el) return code;
    var c = el.cloneNode(true);
    Array.prototype.forEach.call(c.querySelectorAll('.req, .sr-only'), function (x) { x.remove(); });
    return c.textContent.trim();
  }
  function setError(key, msg) {
    var el = $('err-' + key);
    if (!el) return;
    el.textContent = msg || '';
    var base = key.replace(/_other$/, '');
    var w = wrapOf(byCode[key] ? key : base);
    var field = $('q-' + key);
    if (field) { if (msg) field.setAttribute('aria-invalid', 'true'); else field.removeAttribute('aria-invalid'); }
    if (w) w.classList.toggle('has-error', !!(msg || ($('err-' + base) && $('err-' + base).textContent)));
  }
  // checkRules shows, beside its field, each cross-field rule the answers
  // break — as soon as the questions it names are answered. The draft
  // still saves; submitting will refuse it.
  function checkRules(seen) {
    var warn = {};
    R.forEach(function (r) {
      if (ev(r.assert, seen) === false && !warn[r.field]) warn[r.field] = r.message;
    });
    Q.forEach(function (q) {
      var el = $('warn-' + q.code);
      if (!el) return;
      var err = $('err-' + q.code);
      var text = err && err.textContent ? '' : (warn[q.code] || '');
      if (el.textContent !== text) {
        el.textContent = text;
        if (text) {
          announce(text);
          // The warning goes above the field. When it is about the field
          // just filled in, keep both in view, clear of the save bar (the
          // page's scroll-padding); a warning about another question does
          // not move the page.
          var a = document.activeElement, w0 = wrapOf(q.code);
          var here = w0 && a && w0.contains(a), none = !a || a === document.body;
          if (here || none) el.scrollIntoView({ block: 'nearest' });
          if (here) a.scrollIntoView({ block: 'nearest' });
        }
      }
      var w = wrapOf(q.code);
      if (w) w.classList.toggle('has-warning', !!text);
    });
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll('.q-error'), function (el) { setError(el.id.slice(4), ''); });
  }
  function showSummary(title, errors) {
    var box = $('error-summary');
    box.innerHTML = '';
    var keys = Object.keys(errors);
    if (!keys.length) { box.classList.add('hidden'); return; }
    var h = document.createElement('h2');
    h.textContent = title;
    var ul = document.createElement('ul');
    Q.forEach(function (q) {
      [q.code, q.code + '_other'].forEach(function (k) {
        if (!errors[k]) return;
        var li = document.createElement('li'), a = document.createElement('a');
        a.href = '#q-' + k;
        a.textContent = labelOf(q.code);
        li.appendChild(a);
        li.appendChild(document.createTextNode(' — ' + errors[k]));
        ul.appendChild(li);
      });
    });
    box.appendChild(h);
    box.appendChild(ul);
    box.classList.remove('hidden');
    bringIntoView(box);
  }

  // ---- saving ----

  function setState(kind, arg) {
    var text = '', problem = false;
    switch (kind) {
      case 'unsaved': text = M.unsaved; break;
      case 'unsaved-none': text = M['saved.never']; break;
      case 'saving': text = M.saving; break;
      case 'saved': text = fmt(M.saved, {time: timeOf(arg)}); if (arg) savedAt = arg; break;
      case 'offline': text = M.offline; problem = true; break;
      case 'unavailable': text = M.unavailable; problem = true; break;
      case 'unavailable-submit': text = M['unavailable.submit']; problem = true; break;
      case 'failed': text = fmt(M.failed, {error: arg}); problem = true; break;
      case 'invalid': text = M.invalid; problem = true; break;
      case 'closed': text = M.closed; problem = true; break;
      case 'notfound': text = M.notfound; problem = true; break;
    }
    if (!stateEl) return;
    stateEl.textContent = text;
    stateEl.classList.toggle('problem', problem);
    if (problem) announce(text);
  }

  function schedule(delay) {
    if (stopped) return;
    dirty = true;
    if (!conflict) setState('unsaved');
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'Accept-Language': D.lang },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store'
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (b) { return { status: resp.status, body: b }; });
    });
  }

  // save sends the answers if they differ from what the server holds. It
  // resolves true when the server holds what the page shows.
  function save() {
    clearTimeout(timer);
    if (stopped || conflict) return Promise.resolve(false);
    if (inflight) { again = true; return inflight; }
    var c = collect();
    refreshProgress();
    checkRules(c.seen);
    var hasBad = Object.keys(c.bad).length > 0;
    if (stable(c.send) === stable(lastSaved)) {
      dirty = false;
      // The page holds what the server holds: say so (a value typed back
      // after a refused one must not leave "unsaved changes" behind).
      if (hasBad) setState('invalid');
      else if (savedAt || version > 0) setState('saved', savedAt);
      else setState('unsaved-none');
      return Promise.resolve(!hasBad);
    }
    setState('saving');
    var sent = c.send;
    var req = D.preview ? request('POST', D.api, { answers: sent, submit: false }) :
      request('PUT', D.api, { version: version, answers: sent });
    inflight = req.then(function (r) {
      inflight = null;
      if (r.status === 200) {
        if (!D.preview) {
          version = r.body.version;
          if (versionEl) versionEl.value = version;
        }
        lastSaved = sent;
        (r.body.cleared || []).forEach(function (k) { delete lastSaved[k]; });
        // Carried-over answers the save confirmed (changed, or cleared as
        // hidden) lose their marker, as on the server.
        if (r.body.carried) {
          Q.forEach(function (q) { if (q.carried && r.body.carried.indexOf(q.code) < 0) uncarry(q.code); });
          refreshProgress();
        }
        merged = r.body.merged || [];
        if (merged.length && r.body.answers) {
          // A colleague saved in between; the server kept both. Put their
          // answers in the form where nothing was typed since sending.
          var take = {};
          merged.forEach(function (code) {
            var q = byCode[code];
            if (q && valueKeyOf(q, sent) === valueKey(q)) take[code] = true;
          });
          setAnswers(r.body.answers, take);
          lastSaved = r.body.answers;
          showMerged(merged);
          refresh();
          if (stable(collect().send) !== stable(lastSaved)) again = true;
        }
        var note = $('changed-note');
        if (note && r.body.changed && r.body.status === 'submitted') note.hidden = false;
        retryDelay = 2000;
        Object.keys(sent).forEach(function (k) { if (!c.bad[k]) setError(k, ''); });
        if (again) { again = false; return save(); }
        dirty = false;
        setState(hasBad ? 'invalid' : 'saved', r.body.saved_at);
        return !hasBad;
      }
      if (r.status === 422 && r.body.errors) {
        var fresh = false;
        Object.keys(r.body.errors).forEach(function (k) {
          if (sent[k] !== undefined && rejected[k] !== stable(sent[k])) { rejected[k] = stable(sent[k]); fresh = true; }
          setError(k, r.body.errors[k]);
        });
        if (fresh) return save(); // again, without the refused values
        setState('invalid');
        return false;
      }
      if (r.status === 409) {
        if (r.body.conflicts && r.body.answers) enterConflict(r.body);
        else pullTheirs(r.body.erased);
        return false;
      }
      if (r.status === 403) { stop('closed'); return false; }
      if (r.status === 404) { stop('notfound'); return false; }
      // 503: the server (its database) is briefly unavailable; like being
      // offline, what was typed stays and saving is tried again.
      setState(r.status === 503 ? 'unavailable' : 'failed', r.status);
      retryLater();
      return false;
    }, function () {
      inflight = null;
      setState('offline');
      retryLater();
      return false;
    });
    return inflight;
  }

  function retryLater() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function stop(kind) {
    stopped = true;
    dirty = false;
    setState(kind);
    Array.prototype.forEach.call(form.querySelectorAll('button[type=submit]'), function (b) { b.disabled = true; });
  }

  // ---- a colleague saved too ----

  // valueKeyOf is valueKey for a question's answer in a canonical set.
  function valueKeyOf(q, a) {
    var v = a[q.code];
    return stable([v, otherChosen(q, v) ? a[q.code + '_other'] : undefined]);
  }
  // describeAnswer shows a canonical answer as people read it.
  function describeAnswer(q, a) {
    var v = a[q.code];
    if (v === undefined || v === null || (Array.isArray(v) && !v.length)) return M['no.answer'];
    var parts = [];
    (Array.isArray(v) ? v : [v]).forEach(function (x) {
      if (q.type === 'yesno') { parts.push(x ? M.yes : M.no); return; }
      if (typeof x === 'number') { parts.push(formatNumber(x)); return; }
      var lab = form.querySelector('label[for="q-' + q.code + '-' + x + '"]');
      parts.push(lab ? lab.textContent : String(x));
    });
    if (otherChosen(q, v) && a[q.code + '_other']) parts.push(a[q.code + '_other']);
    return parts.join('; ');
  }
  function currentAnswers() { return collect().send; }

  // messages is the place above the form for what follows an action; the
  // box is brought into view and focused so it is seen and read.
  function message(id, cls, role) {
    var box = $(id);
    if (!box) {
      box = document.createElement('div');
      box.id = id;
      box.className = cls;
      box.setAttribute('tabindex', '-1');
      $('messages').appendChild(box);
    }
    box.setAttribute('role', role);
    box.innerHTML = '';
    return box;
  }
  function bringIntoView(box, noFocus) {
    var r = box.getBoundingClientRect(), h = window.innerHeight;
    // Its top in view: from the top when it is above, below the fold or
    // taller than the window; otherwise only as far as needed.
    if (r.top < 0 || r.top > h - 48 || r.height > h) box.scrollIntoView({ block: 'start' });
    else if (r.bottom > h) box.scrollIntoView({ block: 'nearest' });
    if (!noFocus) box.focus({ preventScroll: true });
  }

  // showMerged says, in the always-visible save bar and at each question,
  // which answers a colleague has just filled in — or, erased, which
  // answers changed because personal data was erased meanwhile.
  function showMerged(codes, erased) {
    var names = codes.map(function (c) { return labelOf(c); });
    var text = fmt(erased ? M.erased : M.merged, {questions: names.join('; ')});
    var el = $('merged-note');
    if (el) { el.textContent = text; el.hidden = false; }
    Array.prototype.forEach.call(form.querySelectorAll('.q.merged-q'), function (w) { w.classList.remove('merged-q'); });
    codes.forEach(function (c) { var w = wrapOf(c); if (w) w.classList.add('merged-q'); });
    announce(text);
  }

  // enterConflict takes a 409 that names the questions both changed: the
  // colleague's other answers go into the form, and each named question
  // asks whether to keep this person's answer or take the colleague's.
  // Saving waits until every question is decided.
  function enterConflict(body) {
    var theirs = body.answers || {}, base = lastSaved;
    var mine = currentAnswers();
    var take = {};
    var named = {};
    (body.conflicts || []).forEach(function (c) { named[c] = true; });
    Q.forEach(function (q) {
      if (named[q.code]) return;
      var theirChange = valueKeyOf(q, base) !== valueKeyOf(q, theirs);
      var myChange = valueKeyOf(q, base) !== valueKey(q);
      if (theirChange && !myChange) take[q.code] = true;
    });
    setAnswers(theirs, take);
    version = body.version;
    if (versionEl) versionEl.value = version;
    lastSaved = theirs;
    rejected = {};
    conflict = { pending: {} };
    var mn = $('merged-note');
    if (mn) mn.hidden = true;
    Array.prototype.forEach.call(form.querySelectorAll('.choose'), function (x) { x.remove(); });

    var box = message('conflict-live', 'conflict', 'alert');
    var h = document.createElement('h2');
    h.textContent = M['conflict.title'];
    var p = document.createElement('p');
    p.textContent = M['conflict.body'];
    var ul = document.createElement('ul');
    var left = document.createElement('p');
    left.id = 'conflict-left';
    box.appendChild(h);
    box.appendChild(p);
    box.appendChild(ul);
    box.appendChild(left);

    (body.conflicts || []).forEach(function (code) {
      var q = byCode[code];
      var w = wrapOf(code);
      if (!q || !w) return;
      conflict.pending[code] = true;
      var li = document.createElement('li'), a = document.createElement('a');
      a.href = '#q-' + code;
      a.textContent = labelOf(code);
      li.appendChild(a);
      ul.appendChild(li);

      var choose = document.createElement('div');
      choose.className = 'choose';
      choose.id = 'choose-' + code;
      choose.setAttribute('role', 'group');
      choose.setAttribute('aria-label', labelOf(code));
      var t = document.createElement('p');
      t.innerHTML = '<strong></strong> ';
      t.firstChild.textContent = M.theirs;
      t.appendChild(document.createTextNode(describeAnswer(q, theirs)));
      var m = document.createElement('p');
      m.innerHTML = '<strong></strong> ';
      m.firstChild.textContent = M.mine;
      m.appendChild(document.createTextNode(describeAnswer(q, mine)));
      var acts = document.createElement('p');
      acts.className = 'actions';
      var keep = document.createElement('button');
      keep.type = 'button';
      keep.className = 'secondary';
      keep.setAttribute('data-choice', 'mine');
      keep.textContent = M['keep.mine'];
      var takeBtn = document.createElement('button');
      takeBtn.type = 'button';
      takeBtn.className = 'secondary';
      takeBtn.setAttribute('data-choice', 'theirs');
      takeBtn.textContent = M['take.theirs'];
      var decide = function (takeTheirs) {
        if (takeTheirs) { var one = {}; one[code] = true; setAnswers(theirs, one); }
        choose.remove();
        li.remove();
        delete conflict.pending[code];
        resolved();
      };
      keep.addEventListener('click', function () { decide(false); });
      takeBtn.addEventListener('click', function () { decide(true); });
      acts.appendChild(keep);
      acts.appendChild(takeBtn);
      choose.appendChild(t);
      choose.appendChild(m);
      choose.appendChild(acts);
      var anchor = w.querySelector('.q-error');
      anchor.parentNode.insertBefore(choose, anchor);
    });
    refresh();
    setState('unsaved');
    updateLeft();
    // Seen (and, as an alert, read out) at once; but someone typing in
    // another field keeps the focus, or the keys they go on typing would
    // land in the box instead of the field — and as the page follows
    // their typing, the box is brought into view again when they leave
    // the field (focused only if they did not go on to another one).
    if (!typingInForm()) { bringIntoView(box); return; }
    bringIntoView(box, true);
    form.addEventListener('focusout', function again() {
      form.removeEventListener('focusout', again);
      setTimeout(function () {
        var b = $('conflict-live');
        if (b && conflict) bringIntoView(b, typingInForm());
      }, 0);
    });
  }
  function typingInForm() {
    var a = document.activeElement;
    return !!a && form.contains(a) && (a.tagName === 'TEXTAREA' || a.tagName === 'SELECT' ||
      (a.tagName === 'INPUT' && !/^(submit|button|reset)$/.test(a.type)));
  }
  function updateLeft() {
    var n = conflict ? Object.keys(conflict.pending).length : 0;
    var el = $('conflict-left');
    if (el) el.textContent = fmt(M['conflict.left'], {count: n});
  }
  // resolved saves once every named question is decided.
  function resolved() {
    updateLeft();
    if (!conflict || Object.keys(conflict.pending).length) return;
    conflict = null;
    var box = $('conflict-live');
    if (box) box.remove();
    refresh();
    schedule(100);
  }

  // pullTheirs brings in a colleague's save when the server refused ours
  // without naming questions (a submit made from an older version): their
  // answers go where this page changed nothing since it last saved, and
  // what it did change is saved again. erased: the refusal was because
  // personal data was erased since this page's version; its erased
  // answers are cleared like a colleague's change, not written back.
  function pullTheirs(erased) {
    return request('GET', D.api).then(function (r) {
      if (r.status !== 200) { setState(r.status === 503 ? 'unavailable' : 'failed', r.status); return []; }
      var theirs = r.body.answers || {}, take = {}, codes = [];
      Q.forEach(function (q) {
        if (valueKeyOf(q, lastSaved) === valueKeyOf(q, theirs)) return;
        codes.push(q.code);
        if (valueKeyOf(q, lastSaved) === valueKey(q)) take[q.code] = true;
      });
      setAnswers(theirs, take);
      version = r.body.version;
      if (versionEl) versionEl.value = version;
      lastSaved = theirs;
      refresh();
      if (codes.length) showMerged(codes, erased);
      if (stable(collect().send) !== stable(lastSaved)) schedule(300);
      else setState('saved', r.body.saved_at);
      return codes;
    }, function () { setState('offline'); return []; });
  }

  // ---- submitting ----

  function submit() {
    if (stopped) return;
    if (D.preview) { checkSubmit(); return; }
    var label = submitBtn ? submitBtn.textContent : '';
    if (submitBtn) { submitBtn.disabled = true; submitBtn.textContent = M.submitting; }
    var done = function () { if (submitBtn) { submitBtn.disabled = false; submitBtn.textContent = label; } };
    // A colleague's answers that arrive with this save are shown first:
    // nobody submits answers they have not seen.
    var stopForColleague = function (codes) {
      done();
      var box = message('submit-note', 'note', 'alert');
      var p = document.createElement('p');
      p.textContent = fmt(M['merged.submit'], {questions: codes.map(labelOf).join('; ')});
      box.appendChild(p);
      bringIntoView(box);
    };
    merged = [];
    (inflight || Promise.resolve()).then(save).then(function () {
      if (conflict) { done(); if ($('conflict-live')) bringIntoView($('conflict-live')); return; }
      if (merged.length) { stopForColleague(merged); return; }
      return request('POST', D.api + '/submit', { version: version }).then(function (r) {
        if (r.status === 200) {
          dirty = false;
          window.location.assign(window.location.pathname + '?done=submitted');
          return;
        }
        done();
        if (r.status === 422 && r.body.errors) {
          clearErrors();
          Object.keys(r.body.errors).forEach(function (k) { setError(k, r.body.errors[k]); });
          refresh();
          showSummary(r.body.message || M['errors.submit'], r.body.errors);
        } else if (r.status === 409) {
          return pullTheirs().then(function (codes) { if (codes.length) stopForColleague(codes); });
        }
        else if (r.status === 403) stop('closed');
        else if (r.status === 404) stop('notfound');
        else setState(r.status === 503 ? 'unavailable-submit' : 'failed', r.status);
      });
    }, function () { done(); setState('offline'); });
  }

  // checkSubmit is a preview's "Pārbaudīt iesniegšanu": the answers as
  // typed, checked as a submit would check them; nothing is stored.
  function checkSubmit() {
    var label = submitBtn ? submitBtn.textContent : '';
    if (submitBtn) { submitBtn.disabled = true; submitBtn.textContent = M.submitting; }
    var done = function () { if (submitBtn) { submitBtn.disabled = false; submitBtn.textContent = label; } };
    var ok = $('preview-ok');
    if (ok) ok.remove();
    request('POST', D.api, { answers: collect(true).send, submit: true }).then(function (r) {
      done();
      if (r.status === 200) {
        clearErrors();
        showSummary('', {});
        var box = message('preview-ok', 'flash', 'status');
        box.textContent = M['preview.submit.ok'];
        refresh();
        bringIntoView(box);
      } else if (r.status === 422 && r.body.errors) {
        clearErrors();
        Object.keys(r.body.errors).forEach(function (k) { setError(k, r.body.errors[k]); });
        refresh();
        showSummary(r.body.message || M['errors.submit'], r.body.errors);
      } else setState(r.status === 503 ? 'unavailable-submit' : 'failed', r.status);
    }, function () { done(); setState('offline'); });
  }

  // ---- sections, progress, choices ----

  var sections = Array.prototype.slice.call(form.querySelectorAll('section.section'));
  var links = Array.prototype.slice.call(document.querySelectorAll('.sections a[data-section]'));
  var oneAtATime = true;
  var current = sections.length ? sections[0].getAttribute('data-section') : null;

  function showSection(code, focus, remember) {
    current = code;
    sections.forEach(function (s) { s.hidden = oneAtATime && s.getAttribute('data-section') !== code; });
    links.forEach(function (a) {
      if (a.getAttribute('data-section') === code) a.setAttribute('aria-current', 'true');
      else a.removeAttribute('aria-current');
    });
    if (focus) {
      var h = $('h-' + code);
      if (h) { h.setAttribute('tabindex', '-1'); h.focus(); }
    }
    // Remember the section in the address only when the person moves: on
    // opening, writing the address would scroll the page past its header.
    if (remember && history.replaceState) history.replaceState(null, '', '#s-' + code);
  }
  function sectionOf(el) {
    while (el && !(el.tagName === 'SECTION' && el.hasAttribute('data-section'))) el = el.parentNode;
    return el ? el.getAttribute('data-section') : null;
  }

  // refreshProgress counts, per section and overall, the required
  // questions shown and answered: optional questions never make a
  // response look unfinished.
  function refreshProgress() {
    var counts = {}, all = { req: 0, done: 0 };
    Q.forEach(function (q) {
      var w = wrapOf(q.code);
      var c = counts[q.section] || (counts[q.section] = { req: 0, done: 0 });
      if (!q.required || (w && w.hidden)) return;
      var r = read(q);
      // A carried-over answer not yet confirmed counts as unanswered.
      var ok = r.value !== undefined && !r.bad && !q.carried;
      c.req++; all.req++;
      if (ok) { c.done++; all.done++; }
    });
    Object.keys(counts).forEach(function (s) {
      var el = $('prog-' + s), sr = $('prog-sr-' + s), c = counts[s];
      var complete = c.done === c.req;
      if (el) {
        el.textContent = !c.req ? '' : complete ? '\u2713' : fmt(M.progress, {done: c.done, total: c.req});
        el.classList.toggle('done', complete);
      }
      if (sr) sr.textContent = '(' + (!c.req ? M['progress.sr.none'] : complete ? M['progress.sr.done'] : fmt(M['progress.sr'], {done: c.done, total: c.req})) + ')';
    });
    var o = $('overall');
    if (o) {
      o.textContent = all.done === all.req ? M['overall.done'] : fmt(M.overall, {done: all.done, total: all.req});
      o.classList.toggle('done', all.done === all.req);
    }
  }
  function refresh() { var c = collect(); refreshProgress(); checkRules(c.seen); }

  function exclusive(el) {
    var q = byCode[el.name];
    if (!q || q.type !== 'multi' || !el.checked || !q.exclusive) return;
    var isExcl = q.exclusive.indexOf(el.value) >= 0;
    Array.prototype.forEach.call(inputs(q.code), function (o) {
      if (o === el) return;
      if (isExcl || q.exclusive.indexOf(o.value) >= 0) o.checked = false;
    });
  }

  // ---- wiring ----

  // uncarry drops the marker of a carried-over answer once it is changed:
  // the save that follows confirms it (as the server does).
  function uncarry(name) {
    var q = byCode[name] || byCode[name.replace(/_other$/, '')];
    if (!q || !q.carried) return;
    q.carried = false;
    var m = $('carried-' + q.code);
    if (m) m.remove();
    // The section's count in the list of sections follows.
    var left = Q.filter(function (o) { return o.carried && o.section === q.section; }).length;
    var mark = $('cc-' + q.section);
    if (mark && left === 0) mark.remove();
    else if (mark) mark.textContent = fmt(M['respond.carried.nav'], { count: left });
  }
  form.addEventListener('input', function (e) {
    var name = e.target.name;
    if (!name) return;
    uncarry(name);
    if (rejected[name] !== undefined) { delete rejected[name]; setError(name, ''); }
    if (e.target.type === 'text' || e.target.tagName === 'TEXTAREA' || e.target.type === 'email' || e.target.type === 'tel') {
      schedule(2500);
    }
  });
  form.addEventListener('change', function (e) {
    if (e.target.type === 'checkbox') exclusive(e.target);
    var passed = $('preview-ok'); // a preview's passed check was of other answers
    if (passed) passed.remove();
    var name = e.target.name;
    if (name) {
      uncarry(name);
      var q = byCode[name];
      if (q && /^(int|decimal|money|percent|year)$/.test(q.type) && read(q).bad) setError(name, M.number);
      else if (rejected[name] === undefined) setError(name, '');
    }
    refresh();
    schedule(300);
  });
  form.addEventListener('focusout', function () { if (dirty) schedule(200); });
  form.addEventListener('submit', function (e) {
    // "Confirm" (a question's or a section's) posts the form as it is: the
    // server saves what it holds, confirms and shows the page again.
    if (e.submitter && (e.submitter.name === 'confirm' || e.submitter.name === 'confirm_section')) {
      if (versionEl) versionEl.value = version;
      leaving = true;
      return;
    }
    e.preventDefault();
    if (e.submitter && e.submitter.value === 'submit') submit();
    else { announce(M.saving); save(); }
  });
  window.addEventListener('online', function () { if (dirty) save(); });
  window.addEventListener('beforeunload', function (e) {
    if (!stopped && !leaving && !D.preview && (dirty || inflight)) { e.preventDefault(); e.returnValue = M.leave; return M.leave; }
  });

  links.forEach(function (a) {
    a.addEventListener('click', function (e) {
      e.preventDefault();
      showSection(a.getAttribute('data-section'), true, true);
    });
  });
  Array.prototype.forEach.call(form.querySelectorAll('[data-go]'), function (b) {
    b.addEventListener('click', function () {
      var i = sections.map(function (s) { return s.getAttribute('data-section'); }).indexOf(current);
      var next = sections[i + (b.getAttribute('data-go') === 'next' ? 1 : -1)];
      if (next) { save(); showSection(next.getAttribute('data-section'), true, true); }
    });
  });
  var toggle = $('toggle-all');
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener('click', function () {
      oneAtATime = !oneAtATime;
      toggle.textContent = oneAtATime ? M['show.all'] : M['show.one'];
      showSection(current, false);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('.js-only'), function (el) { el.hidden = false; });
  // Links in the messages (errors, conflicts) open the question's section
  // first.
  $('messages').addEventListener('click', function (e) {
    var a = e.target.closest('a[href^="#q-"]');
    if (!a) return;
    e.preventDefault();
    var target = $(a.getAttribute('href').slice(1));
    if (!target) return;
    var s = sectionOf(target);
    if (s) showSection(s, false);
    target.focus();
    target.scrollIntoView({ block: 'center' });
  });

  // Start: the section in the address, else the first with an error.
  var start = current;
  var hash = window.location.hash.replace(/^#s-/, '');
  if (hash && sections.some(function (s) { return s.getAttribute('data-section') === hash; })) start = hash;
  var firstErr = form.querySelector('.q.has-error');
  if (firstErr) start = sectionOf(firstErr) || start;
  refresh();
  if (start) showSection(start, false, false);
  // What follows an action (a returned form's note, an error, a conflict,
  // "submitted") is at the top: bring it into view and to the screen
  // reader; otherwise the page opens at its top.
  // (Not focused: the first Tab still reaches the skip link.)
  var summary = $('error-summary');
  var msg = $('conflict') || (summary && !summary.classList.contains('hidden') ? summary : null) ||
    $('flash') || $('returned');
  if (!hash) window.scrollTo(0, 0);
  if (msg) bringIntoView(msg, true);
})();
