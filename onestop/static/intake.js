// Keyboard-first intake.
// - The search box filters the procedure list by code, name or field (accents ignored);
//   Enter or ArrowDown picks the first match and moves on to its checklist.
// - Only the chosen procedure's checklist is shown and submitted.
// - A 12-digit citizen ID of a returning citizen fills the applicant's details and, when they
//   are complete, moves on to the delivery method (arrows pick it, Enter saves).
(function () {
  "use strict";
  const form = document.getElementById("intake-form");
  if (!form) return;
  const select = document.getElementById("procedure_code");
  const search = document.getElementById("procedure-search");
  const hint = document.getElementById("procedure-hint");
  // the page's words, in its language: "{count}", "{first}" and "{date}" are filled in here
  function say(key, values) {
    return form.dataset[key].replace(/\{(\w+)\}/g, function (all, name) { return values[name]; });
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  function showChecklist() {
    document.querySelectorAll(".checklist").forEach(function (box) {
      const active = box.dataset.procedure === select.value;
      box.hidden = !active;
      box.querySelectorAll("input").forEach(function (input) { input.disabled = !active; });
    });
  }

  function matches() {
    const words = fold(search.value).split(/\s+/).filter(Boolean);
    const found = [];
    Array.from(select.options).forEach(function (option) {
      if (!option.value) return;
      const haystack = fold(option.text + " " + (option.parentElement.label || ""));
      const ok = words.every(function (w) { return haystack.indexOf(w) !== -1; });
      option.hidden = !ok;
      if (ok) found.push(option);
    });
    return found;
  }

  function choose(option) {
    select.value = option.value;
    showChecklist();
    const first = form.querySelector(".checklist:not([hidden]) input");
    (first || document.getElementById("applicant_id_number")).focus();
  }

  if (search) {
    search.addEventListener("input", function () {
      const found = matches();
      hint.textContent = !search.value ? "" : found.length
        ? say("msgPick", {count: found.length, first: found[0].text}) : say("msgFound", {count: 0});
    });
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== "ArrowDown") return;
      event.preventDefault();
      const found = matches();
      if (found.length) choose(found[0]);
    });
  }
  select.addEventListener("change", showChecklist);
  showChecklist();

  const idField = document.getElementById("applicant_id_number");
  const note = document.getElementById("citizen-note");
  idField.addEventListener("input", function () {
    if (!/^\d{12}$/.test(idField.value)) return;
    fetch(form.dataset.citizenUrl.replace("000000000000", idField.value), {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (citizen) {
        if (!citizen) { note.textContent = ""; return; }
        ["name", "phone", "email", "address"].forEach(function (key) {
          const input = document.getElementById("applicant_" + key);
          if (input && !input.value && citizen[key]) input.value = citizen[key];
        });
        note.textContent = say("msgCitizen", {date: citizen.last_received});
        // everything required is there: go on to the delivery method, where Enter saves
        const filled = ["name", "phone", "address"].every(function (key) {
          return document.getElementById("applicant_" + key).value;
        });
        const delivery = form.querySelector('input[name="delivery_method"]:checked');
        if (filled && delivery && document.activeElement === idField) delivery.focus();
      })
      .catch(function () { note.textContent = ""; });
  });

  const invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) invalid.focus();
})();
