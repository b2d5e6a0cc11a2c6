// Show the checklist of the chosen procedure; only its boxes are submitted.
(function () {
  const select = document.getElementById("procedure_code");
  if (!select) return;
  function show() {
    document.querySelectorAll(".checklist").forEach(function (box) {
      const active = box.dataset.procedure === select.value;
      box.hidden = !active;
      box.querySelectorAll("input").forEach(function (input) { input.disabled = !active; });
    });
  }
  select.addEventListener("change", show);
  show();
  const invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) invalid.focus();
})();
