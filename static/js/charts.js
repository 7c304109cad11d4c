// Draws the charts of the dashboard and of the printable report with the
// vendored ECharts. Each chart is a <div class="chart" data-chart="ID">
// beside a <script type="application/json" id="opt-ID"> block holding its
// ECharts option, made on the server (reports.BuildCharts). Nothing here is
// inline in the page and nothing is evaluated from strings, so the page's
// CSP (script-src 'self'; style-src 'self') holds; sizes are set through
// the CSSOM (element.style), which that CSP allows.
//
// Numbers are shown the way the page's language writes them, as the
// server does (survey.FormatNumber, FormatMoney, FormatPercent): "12 345,5",
// "120 000,50 EUR" and "93 %" in Latvian, "12,345.5", "120,000.50 EUR" and
// "93%" in English. Value axes, bar labels ("{c}") and tooltips get a
// formatter here, because an option sent as JSON cannot hold functions;
// the chart's data-unit says what its values are.
(function () {
  'use strict';
  if (typeof window.echarts === 'undefined') return; // the tables still hold every figure

  var en = document.documentElement.lang === 'en';
  var NBSP = '\u00a0';
  var charts = {};

  // fmt writes a number with places decimals (-1: at most two, trailing
  // zeros dropped); digits in groups of three from five digits on.
  function fmt(v, places) {
    if (typeof v !== 'number' || !isFinite(v)) return String(v);
    var abs = Math.abs(v);
    var s = places >= 0 ? abs.toFixed(places) : String(Math.round(abs * 100) / 100);
    var parts = s.split('.');
    var whole = parts[0];
    if (whole.length > 4) whole = whole.replace(/\B(?=(\d{3})+$)/g, en ? ',' : NBSP);
    var out = whole + (parts[1] ? (en ? '.' : ',') + parts[1] : '');
    return v < 0 && /[1-9]/.test(out) ? '-' + out : out;
  }

  // withUnit puts the unit after a formatted number.
  function withUnit(s, unit) {
    switch (unit) {
      case '': return s;
      case '%': return s + (en ? '%' : NBSP + '%');
      default: return s + NBSP + unit;
    }
  }

  function valueOf(p) {
    var v = p && p.value;
    if (v && typeof v === 'object' && 'value' in v) v = v.value;
    if (Array.isArray(v)) v = v[0];
    return v;
  }

  // localise gives the option's formatters our number format; unit is
  // the unit of the chart's values (amounts in EUR get two decimals).
  function localise(opt, unit) {
    var places = unit === 'EUR' ? 2 : -1;
    [].concat(opt.xAxis || [], opt.yAxis || []).forEach(function (axis) {
      var label = axis.axisLabel = axis.axisLabel || {};
      // go-echarts writes these as strings; ECharts wants numbers.
      ['interval', 'lineHeight'].forEach(function (k) {
        if (typeof label[k] === 'string' && /^\d+$/.test(label[k])) label[k] = +label[k];
      });
      if (axis.type === 'value') {
        var template = typeof label.formatter === 'string' ? label.formatter : '{value}';
        label.formatter = function (v) { return template.replace('{value}', fmt(v, -1)); };
      }
    });
    [].concat(opt.series || []).forEach(function (s) {
      var label = s.label;
      if (label && typeof label.formatter === 'string' && label.formatter.indexOf('{c}') >= 0) {
        var template = label.formatter;
        label.formatter = function (p) { return template.replace('{c}', fmt(valueOf(p), places)); };
      }
    });
    opt.tooltip = opt.tooltip || {};
    // Drawn in the chart, not as HTML: the HTML tooltip lays its rows out
    // with style attributes, which the page's CSP refuses, so names and
    // values ran together ("Q162 546,73").
    opt.tooltip.renderMode = 'richText';
    opt.tooltip.valueFormatter = function (v) {
      // A dot of a distribution is [value, 0]: the 0 only places it.
      if (Array.isArray(v) && v.length === 2 && v[1] === 0) v = v[0];
      return Array.isArray(v)
        ? v.map(function (x) { return withUnit(fmt(x, places), unit); }).join(' – ')
        : withUnit(fmt(v, places), unit);
    };
    return opt;
  }

  // legendWidth is the width a vertical legend's names may take in a
  // chart that wide: the chart's, less the legend's symbol and margins
  // (the server cuts them at a width that fits a phone); 0 for a chart
  // without such a legend.
  function legendWidth(opt, width) {
    var l = legendOf(opt);
    if (!l || l.orient !== 'vertical' || !l.textStyle || !l.textStyle.width || !width) return 0;
    return Math.max(120, Math.floor(width * 0.97) - 60);
  }

  // legendOf is the option's legend (an object as sent, an array once set).
  function legendOf(opt) {
    return Array.isArray(opt.legend) ? opt.legend[0] : opt.legend;
  }

  function draw(el) {
    var id = el.getAttribute('data-chart');
    var data = document.getElementById('opt-' + id);
    if (!data) return;
    var opt;
    try {
      opt = JSON.parse(data.textContent);
    } catch (e) {
      return;
    }
    var max = parseInt(el.getAttribute('data-width'), 10) || 0;
    var width = fit(el, max);
    var height = parseInt(el.getAttribute('data-height'), 10) || 300;
    el.style.height = height + 'px';
    if (width) el.style.width = width + 'px';
    var chart = echarts.init(el, null, {
      renderer: el.getAttribute('data-renderer') === 'svg' ? 'svg' : 'canvas',
      width: width || undefined,
      height: height
    });
    var lw = legendWidth(opt, chart.getWidth());
    if (lw) legendOf(opt).textStyle.width = lw;
    chart.setOption(localise(opt, el.getAttribute('data-unit') || ''));
    charts[id] = { chart: chart, el: el, max: max, legend: lw > 0 };
  }

  // fit is the width of a report chart: its print width (data-width), or
  // less where the screen is narrower, so a phone does not scroll
  // sideways; 0 for charts that follow their box.
  function fit(el, max) {
    if (!max) return 0;
    var room = el.parentElement ? el.parentElement.clientWidth : 0;
    return room > 0 && room < max ? room : max;
  }

  // resizeAll lets every chart follow its box; report charts take their
  // print width when printing.
  function resizeAll(printing) {
    Object.keys(charts).forEach(function (id) {
      var c = charts[id];
      if (!c.max) {
        c.chart.resize();
      } else {
        var w = printing ? c.max : fit(c.el, c.max);
        if (w !== c.chart.getWidth()) {
          c.el.style.width = w + 'px';
          c.chart.resize({ width: w });
        }
      }
      if (c.legend) c.chart.setOption({ legend: { textStyle: { width: legendWidth(c.chart.getOption(), c.chart.getWidth()) } } });
    });
  }

  // wrap splits text into lines that fit the width.
  function wrap(ctx, text, width) {
    var lines = [], line = '';
    text.split(/\s+/).forEach(function (word) {
      var next = line ? line + ' ' + word : word;
      if (line && ctx.measureText(next).width > width) {
        lines.push(line);
        line = word;
      } else {
        line = next;
      }
    });
    if (line) lines.push(line);
    return lines;
  }

  // savePNG saves the chart as a PNG with its heading and note above it.
  function savePNG(button) {
    var id = button.getAttribute('data-png');
    var entry = charts[id];
    if (!entry) return;
    var ratio = 2;
    var img = new Image();
    img.onload = function () {
      var card = document.getElementById('c-' + id);
      var title = card ? card.querySelector('h3').textContent.replace(/\s+/g, ' ').trim() : '';
      var noteEl = card && card.querySelector('.chart-note');
      var note = noteEl ? noteEl.textContent.replace(/\s+/g, ' ').trim() : '';
      var pad = 16 * ratio, inner = img.width - 2 * pad;
      var canvas = document.createElement('canvas');
      var ctx = canvas.getContext('2d');
      var titleFont = '600 ' + 16 * ratio + 'px system-ui, sans-serif';
      var noteFont = 12 * ratio + 'px system-ui, sans-serif';
      ctx.font = titleFont;
      var titleLines = wrap(ctx, title, inner);
      ctx.font = noteFont;
      var noteLines = wrap(ctx, note, inner);
      var titleStep = 22 * ratio, noteStep = 16 * ratio;
      var top = pad + titleLines.length * titleStep + noteLines.length * noteStep + pad / 2;
      canvas.width = img.width;
      canvas.height = top + img.height;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.fillStyle = '#1b1f24';
      ctx.textBaseline = 'top';
      var y = pad;
      ctx.font = titleFont;
      titleLines.forEach(function (l) { ctx.fillText(l, pad, y); y += titleStep; });
      ctx.fillStyle = '#5a6370';
      ctx.font = noteFont;
      noteLines.forEach(function (l) { ctx.fillText(l, pad, y); y += noteStep; });
      ctx.drawImage(img, 0, top);
      canvas.toBlob(function (blob) {
        if (!blob) return;
        var a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = button.getAttribute('data-filename') || id + '.png';
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      }, 'image/png');
    };
    img.src = entry.chart.getDataURL({ type: 'png', pixelRatio: ratio, backgroundColor: '#fff' });
  }

  function start() {
    document.querySelectorAll('.chart[data-chart]').forEach(draw);
    document.querySelectorAll('button[data-png]').forEach(function (b) {
      if (!charts[b.getAttribute('data-png')]) return;
      b.hidden = false;
      b.addEventListener('click', function () { savePNG(b); });
    });
    document.querySelectorAll('button[data-print]').forEach(function (b) {
      b.hidden = false;
      b.addEventListener('click', function () { window.print(); });
    });
    var pending = 0;
    window.addEventListener('resize', function () {
      clearTimeout(pending);
      pending = setTimeout(function () { resizeAll(false); }, 150);
    });
    window.addEventListener('beforeprint', function () { resizeAll(true); });
    window.addEventListener('afterprint', function () { resizeAll(false); });
    document.documentElement.setAttribute('data-charts-drawn', String(Object.keys(charts).length));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
