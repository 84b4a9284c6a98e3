/* deputybot console charts: draws each element with a data-chart
 * attribute from the JSON block it names (<script type="application/json"
 * id="…">), with Apache ECharts. The console's CSP forbids inline scripts
 * and inline styles, so the data travels as JSON and tooltips render on
 * the canvas (renderMode richText) instead of as HTML.
 *
 * The JSON: {"kind": "bar" | "hbar" | "pie", "categories": [...],
 * "series": [{"name": "...", "data": [numbers]}], "percent": bool}.
 */
(function () {
  'use strict';

  var palette = ['#b4261a', '#e08a2e', '#1f7a3a', '#3a6ea5', '#8a5aa5', '#6b6b6b', '#c9a227', '#2a9d8f', '#d35d6e', '#4f6d7a'];

  function fmt(percent) {
    return function (v) {
      var n = typeof v === 'object' && v !== null ? v.value : v;
      return percent ? n + '%' : String(n);
    };
  }

  function barOption(d, horizontal) {
    var valueAxis = { type: 'value', minInterval: d.percent ? 0 : 1, axisLabel: { formatter: d.percent ? '{value}%' : '{value}' } };
    if (d.percent) { valueAxis.max = 100; }
    var longLabels = !horizontal && d.categories.length > 5;
    var catAxis = { type: 'category', data: d.categories, axisLabel: { interval: 0, rotate: longLabels ? 30 : 0, width: horizontal ? 160 : 100, overflow: 'truncate' } };
    return {
      color: palette,
      tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: fmt(d.percent) },
      legend: { show: d.series.length > 1, top: 0 },
      grid: { containLabel: true, left: 8, right: 24, bottom: 8, top: d.series.length > 1 ? 36 : 16 },
      xAxis: horizontal ? valueAxis : catAxis,
      yAxis: horizontal ? Object.assign({}, catAxis, { inverse: true }) : valueAxis,
      series: d.series.map(function (s) {
        return {
          name: s.name, type: 'bar', data: s.data, barMaxWidth: 36,
          label: { show: true, position: horizontal ? 'right' : 'top', formatter: d.percent ? '{c}%' : '{c}' }
        };
      })
    };
  }

  function pieOption(d) {
    var s = d.series[0] || { name: '', data: [] };
    return {
      color: palette,
      tooltip: { trigger: 'item', renderMode: 'richText', formatter: '{b}：{c}（{d}%）' },
      legend: { bottom: 0, type: 'scroll' },
      series: [{
        name: s.name, type: 'pie', radius: ['35%', '65%'], center: ['50%', '45%'],
        label: { formatter: '{b}\n{c}' },
        data: d.categories.map(function (c, i) { return { name: c, value: s.data[i] || 0 }; })
      }]
    };
  }

  function draw(el) {
    var src = document.getElementById(el.getAttribute('data-chart'));
    if (!src || !window.echarts) { return; }
    var d;
    try { d = JSON.parse(src.textContent); } catch (e) { return; }
    if (!d || !d.categories || !d.series) { return; }
    var height = parseInt(el.getAttribute('data-height') || '320', 10);
    var chart = window.echarts.init(el, null, { height: height });
    chart.setOption(d.kind === 'pie' ? pieOption(d) : barOption(d, d.kind === 'hbar'));
    el.setAttribute('data-drawn', 'true');
    window.addEventListener('resize', function () { chart.resize({ height: height }); });
  }

  function drawAll() {
    var els = document.querySelectorAll('[data-chart]');
    for (var i = 0; i < els.length; i++) { draw(els[i]); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', drawAll);
  } else {
    drawAll();
  }
}());
