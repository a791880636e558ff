// The page's inline stylesheet and self-check script: the page loads nothing from elsewhere.
#pragma once

#include <string_view>

namespace switchyard::report_tool {

inline constexpr std::string_view kStyle = R"css(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       margin: 0 auto; padding: 16px 24px 40px; max-width: 1180px; }
h1 { font-size: 22px; margin: 8px 0 2px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.subtitle { color: #555; margin: 0 0 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(330px, 1fr)); gap: 12px; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; background: #fafafa; }
.card p { margin: 2px 0; }
.muted { color: #666; }
.live { color: #2e7d32; }
.missing { color: #b23b3b; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 3px 7px; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
th { background: #f1f1f1; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { overflow-x: auto; }
table.kinds tr.kind td { border-bottom: none; padding-top: 6px; }
table.kinds tr.details td { color: #666; font-size: 12px; padding: 0 7px 6px 18px; }
table.figures { width: 100%; }
table.figures td { padding: 1px 6px; }
table.figures td:first-child { overflow-wrap: anywhere; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
          margin-right: 5px; vertical-align: baseline; }
figure { margin: 0 0 8px; }
figcaption { color: #555; font-size: 13px; margin-bottom: 4px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg.chart text { font: 12px system-ui, -apple-system, "Segoe UI", sans-serif; fill: #333; }
svg.chart text.label { font-weight: 600; }
svg.chart text.small { font-size: 11px; fill: #555; }
svg.chart text.note { font-style: italic; fill: #777; }
svg.chart text.inbar { font-size: 11px; fill: #1a1a1a; pointer-events: none; }
svg.chart .placeholder { fill: none; stroke: #aaa; stroke-dasharray: 4 3; }
svg.chart .marker { stroke: #333; stroke-width: 1.5; }
#selfcheck { color: #777; font-size: 12px; margin-top: 24px; }
)css";

// kSelfCheck records script errors from the start, and once the page has loaded checks that
// every chart drew shapes with a non-empty bounding box. It writes the outcome into the page
// (body's data-charts, and #selfcheck), where the Chromium test reads it from the DOM.
inline constexpr std::string_view kSelfCheck = R"js(
(function () {
  var errors = [];
  window.addEventListener('error', function (event) {
    errors.push(String(event.message || event));
  });
  window.addEventListener('unhandledrejection', function (event) {
    errors.push('unhandled rejection: ' + String(event.reason));
  });
  window.addEventListener('load', function () {
    var charts = document.querySelectorAll('svg.chart');
    var rendered = 0;
    var problems = [];
    charts.forEach(function (svg) {
      var shapes = svg.querySelectorAll('rect, line, path, polyline, polygon, circle').length;
      var box = svg.getBBox();
      if (shapes > 0 && box.width > 0 && box.height > 0) {
        rendered += 1;
      } else {
        problems.push(svg.id + ': ' + shapes + ' shapes, ' + box.width + 'x' + box.height);
      }
    });
    var ok = charts.length > 0 && rendered === charts.length && errors.length === 0;
    document.body.dataset.charts = rendered + ' ' + (ok ? 'ok' : 'failed');
    document.getElementById('selfcheck').textContent =
        'self-check: ' + rendered + ' of ' + charts.length + ' charts rendered' +
        (problems.length ? ' (' + problems.join('; ') + ')' : '') +
        '; script errors: ' + (errors.length ? errors.join('; ') : 'none');
  });
})();
)js";

}  // namespace switchyard::report_tool
