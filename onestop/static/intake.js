// Keyboard-first intake.
// - The search box filters the procedure list by code, name or field (accents ignored);
//   Enter or ArrowDown picks the first match and moves on to its checklist.
// - Only the chosen procedure's checklist, own fields and fee counts are shown and submitted;
//   its fees are recomputed by the server as the counts are typed (aria-live), and how the fee
//   is paid is asked only when something is due at intake.
// - A 12-digit citizen ID of a returning citizen (typed with any digits: full-width, other
//   scripts, spaces) fills the applicant's details and, when they are complete, moves on to the
//   delivery method (arrows pick it, Enter saves).
// - Another unit may be named competent to decide (reception regardless of administrative
//   boundary), last in the form so that the usual tab order stays: only the units that decide the
//   chosen procedure are offered; for civil status (competence by residence) an address naming the
//   place of exactly one of them proposes it, said aloud, until the clerk picks one.
// - A postal intake and a transfer each show their own fields only when chosen, so the tab order
//   holds only what is needed (an organisation and a submitter: applicant.js).
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

  function show(selector, visible) {
    form.querySelectorAll(selector).forEach(function (box) {
      box.hidden = !visible;
      box.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !visible; });
    });
  }

  function checked(name) {
    const input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function activeBox() {
    return form.querySelector(".checklist:not([hidden])");
  }

  // -- fees of the chosen procedure ------------------------------------------------------------
  let feeRequest = 0;
  function refreshFees() {
    const box = activeBox();
    const fees = box && box.querySelector(".fees");
    if (!fees) { show(".payment", false); return; }
    const params = new URLSearchParams();
    box.querySelectorAll(".fee-count").forEach(function (input) {
      const value = input.value.normalize("NFKC").trim();
      if (/^\d+$/.test(value)) params.set(input.name.replace("fee_", ""), value);
    });
    const mine = ++feeRequest;
    fetch(form.dataset.feeUrl.replace("CODE", encodeURIComponent(box.dataset.procedure)) + "?" + params,
          {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (quote) {
        if (!quote || mine !== feeRequest) return;
        const rows = fees.querySelectorAll(".fee-lines tbody tr");
        quote.lines.forEach(function (line, i) {
          if (!rows[i]) return;
          rows[i].querySelector(".num").textContent = line.text;
          rows[i].querySelector(".quantity").textContent = line.quantity;
        });
        fees.querySelector('[data-testid="fee-intake"]').textContent = quote.text.intake;
        const atReturn = fees.querySelector('[data-testid="fee-return"]');
        if (atReturn) atReturn.textContent = quote.text["return"];
        show(".payment", quote.intake > 0);
        showTransfer();
      })
      .catch(function () { /* the server computes it again when the form is saved */ });
  }

  function showTransfer() {
    const payment = form.querySelector(".payment");
    show(".by-transfer", !payment.hidden && checked("payment_method") === "transfer");
  }

  function showChecklist() {
    document.querySelectorAll(".checklist").forEach(function (box) {
      const active = box.dataset.procedure === select.value;
      box.hidden = !active;
      box.querySelectorAll("input, select").forEach(function (input) { input.disabled = !active; });
    });
    refreshFees();
    offerCompetent();
  }

  // -- reception regardless of boundary: the units that may decide the chosen procedure ----------
  const competent = document.getElementById("competent");
  let competentTouched = competent ? competent.value !== "" : true;
  function offerCompetent() {
    if (!competent) return;
    let any = false;
    Array.from(competent.options).forEach(function (option) {
      if (!option.value) return;
      const ok = (" " + option.dataset.procedures + " ").indexOf(" " + select.value + " ") !== -1;
      option.hidden = option.disabled = !ok;
      if (!ok && option.selected) competent.value = "";
      any = any || ok;
    });
    show(".competent", any);
    proposeCompetent();
  }
  // for a procedure whose competent unit is the one where the applicant lives (civil status), an
  // address naming the place of exactly one of the units offered proposes it, until the clerk chooses
  const competentHint = document.getElementById("competent-hint");
  const competentHelp = competentHint ? competentHint.textContent : "";
  function proposeCompetent() {
    if (!competent || competentTouched) return;
    const byAddress = (" " + competent.dataset.byAddress + " ").indexOf(" " + select.value + " ") !== -1;
    const address = fold(document.getElementById("applicant_address").value);
    const named = !byAddress ? [] : Array.from(competent.options).filter(function (option) {
      return option.value && !option.disabled && address.indexOf(fold(option.dataset.place)) !== -1;
    });
    competent.value = named.length === 1 ? named[0].value : "";
    competentHint.textContent = named.length === 1
      ? competent.dataset.msgProposed.replace("{unit}", named[0].text) : competentHelp;
  }
  if (competent) {
    competent.addEventListener("change", function () { competentTouched = true; });
    document.getElementById("applicant_address").addEventListener("change", proposeCompetent);
  }

  // -- the channel (the applicant's and the submitter's fields: applicant.js) ------------------------
  function showPost() { show(".by-post", checked("channel") === "post"); }

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
    const box = activeBox();
    const first = box && box.querySelector("input:not([disabled]), select:not([disabled])");
    (first || firstApplicantInput()).focus();
  }

  function firstApplicantInput() {
    return form.querySelector('input[name="applicant_kind"]:checked') || document.getElementById("applicant_id_number");
  }

  function filter() {
    const found = matches();
    hint.textContent = !search.value ? "" : found.length
      ? say("msgPick", {count: found.length, first: found[0].text}) : say("msgFound", {count: 0});
  }

  if (search) {
    search.addEventListener("input", filter);
    // the field is focused as soon as it is drawn, which can be before this script has run: what a
    // quick clerk typed by then is filtered now
    if (search.value) filter();
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== "ArrowDown") return;
      event.preventDefault();
      const found = matches();
      if (found.length) choose(found[0]);
    });
  }
  select.addEventListener("change", showChecklist);
  form.addEventListener("input", function (event) {
    if (event.target.classList.contains("fee-count")) refreshFees();
  });
  form.addEventListener("change", function (event) {
    const name = event.target.name;
    if (name === "channel") showPost();
    else if (name === "payment_method") showTransfer();
  });
  showChecklist();
  showPost();

  // -- a returning citizen ----------------------------------------------------------------------
  const idField = document.getElementById("applicant_id_number");
  const note = document.getElementById("citizen-note");
  idField.addEventListener("input", function () {
    // any Unicode digits, grouped with spaces, dots or dashes: the server gives them one form
    const typed = idField.value.normalize("NFKC").replace(/[\s.\-]/g, "");
    if (!/^\p{Nd}{12}$/u.test(typed)) return;
    fetch(form.dataset.citizenUrl.replace("000000000000", encodeURIComponent(typed)), {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (citizen) {
        if (!citizen) { note.textContent = ""; return; }
        if (citizen.id_number) idField.value = citizen.id_number;
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
