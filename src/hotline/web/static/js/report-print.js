// Draws the charts of the report printed as PDF (report-print.html, ADR 0171). The figures are
// in the page already; Chromium prints once this module has run (no animation, no network).
import { compareChart, hourlyChart, reasonsChart } from "./report-charts.js";

const data = JSON.parse(document.getElementById("report-data").textContent);
const text = JSON.parse(document.getElementById("report-text").textContent);
const tr = (message) => text[message] || message;
const labels = JSON.parse(document.getElementById("report-labels").textContent);
const Chart = globalThis.Chart;

hourlyChart(Chart, document.getElementById("hourly-chart"), data.hourly.hours, tr, { print: true });
compareChart(Chart, document.getElementById("compare-chart"), data.headline, data.headline_figures, (n) => labels[n] || n, tr, { print: true });
const reasons = document.getElementById("reasons-chart");
if (data.reasons.reasons.length) reasonsChart(Chart, reasons, data.reasons.reasons, tr, { print: true });
else reasons.remove();
document.body.dataset.charts = "drawn";
