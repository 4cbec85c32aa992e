// Enhancements for the admin pages; every page works without this file.
// - a filter box above long checkbox pickers (.picker[data-filter])
// - organisation inputs (input[data-org-picker]) suggest matches from /admin/pick/organisations
// - forms with data-confirm ask before they are sent (the CSP allows no inline handlers)
// - charts: <script type="application/json" class="chart-data" data-target="id"> drawn with plotly.js
"use strict";

function addFilterBox(picker) {
  const box = document.createElement("input");
  box.type = "search";
  box.placeholder = "filter…";
  box.className = "picker-filter";
  box.setAttribute("aria-label", "Filter the choices");
  box.addEventListener("input", () => {
    const text = box.value.trim().toLowerCase();
    for (const item of picker.querySelectorAll("li")) {
      const input = item.querySelector("input");
      const shown = !text || item.textContent.toLowerCase().includes(text) || (input && input.checked);
      item.hidden = !shown;
    }
  });
  picker.parentNode.insertBefore(box, picker);
}

function addOrganisationSuggestions(input) {
  const list = document.getElementById(input.getAttribute("list"));
  if (!list) return;
  let timer = null;
  let last = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value.trim();
      if (text.length < 2 || text === last) return;
      last = text;
      const response = await fetch("/admin/pick/organisations?q=" + encodeURIComponent(text),
                                   {credentials: "same-origin", headers: {"Accept": "application/json"}});
      if (!response.ok) return;
      const body = await response.json();
      list.replaceChildren(...body.items.map((org) => {
        const option = document.createElement("option");
        option.value = org.name + " (" + org.key + ")";
        return option;
      }));
    }, 200);
  });
}

function drawCharts() {
  if (!window.Plotly) return;
  for (const data of document.querySelectorAll("script.chart-data")) {
    const target = document.getElementById(data.dataset.target);
    if (!target) continue;
    const figure = JSON.parse(data.textContent);
    const config = Object.assign({displaylogo: false, responsive: true}, figure.config || {});
    if (figure.layout && figure.layout.height) target.style.height = figure.layout.height + "px";
    window.Plotly.newPlot(target, figure.data, figure.layout, config);
  }
}

function confirmBeforeSubmit(form) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-confirm]").forEach(confirmBeforeSubmit);
  document.querySelectorAll(".picker[data-filter]").forEach(addFilterBox);
  document.querySelectorAll("input[data-org-picker]").forEach(addOrganisationSuggestions);
  drawCharts();
});
