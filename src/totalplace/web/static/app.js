// totalplace web: start GOV.UK Frontend's components and draw every chart on the page.
// Charts are Vega-Lite specifications in <script type="application/json" data-chart-for="ID">
// beside a <div id="ID"> that already holds the chart drawn on the server (SVG), so the page
// works without JavaScript; the table beside each chart holds the same figures. No inline script: the page's Content Security Policy forbids it.
import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";
import { expressionInterpreter } from "/static/vendor/vega-interpreter.js";

initAll();

for (const source of document.querySelectorAll("script[data-chart-for]")) {
  const target = document.getElementById(source.dataset.chartFor);
  if (!target || typeof window.vegaEmbed !== "function") continue;
  const spec = JSON.parse(source.textContent);
  // ast + interpreter: Vega evaluates expressions without new Function(), and defaultStyle:
  // false keeps vega-embed from adding a <style> element: both as the CSP requires.
  const options = {
    actions: false, renderer: "svg", ast: true, expr: expressionInterpreter, defaultStyle: false,
    tooltip: { disableDefaultStyle: true },  // its <style> element too: app.css styles the tooltip
  };
  window.vegaEmbed(target, spec, options).catch((error) => {
    target.textContent = "The chart could not be drawn; the table below has the same figures.";
    console.error(error);
  });
}
