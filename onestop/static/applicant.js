// The applicant's part of a form (desk intake, online filing): an organisation's fields only for an
// organisation, the submitter's only when someone files on behalf, so that the tab order holds
// only what is needed. At the desk the checklist's authorisation (li.on-behalf) shows only for a
// filing on behalf, ticked when the clerk ticks "on behalf" (it was handed in with it; the clerk
// may untick it). The form's data-label-person / data-label-organisation name the name field.
(function () {
  "use strict";
  document.querySelectorAll("form[data-applicant]").forEach(function (form) {
    function show(selector, visible) {
      form.querySelectorAll(selector).forEach(function (box) {
        box.hidden = !visible;
        box.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !visible; });
      });
    }
    const nameLabel = form.querySelector('label[for="applicant_name"]');
    const onBehalf = form.querySelector("#on_behalf");
    function authorisations(ticked) {
      form.querySelectorAll("li.on-behalf").forEach(function (item) {
        item.hidden = !onBehalf.checked;
        const box = item.querySelector("input[type=checkbox]");
        if (box && ticked !== undefined) box.checked = ticked;
      });
    }
    function refresh() {
      const kind = form.querySelector('input[name="applicant_kind"]:checked');
      const organisation = kind && kind.value === "organisation";
      show(".for-person", !organisation);
      show(".for-organisation", organisation);
      if (nameLabel && form.dataset.labelPerson) {
        nameLabel.textContent = organisation ? form.dataset.labelOrganisation : form.dataset.labelPerson;
      }
      if (onBehalf) {
        show(".submitter", onBehalf.checked);
        form.querySelectorAll(".when-on-behalf").forEach(function (mark) { mark.hidden = !onBehalf.checked; });
      }
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "applicant_kind" || event.target.name === "on_behalf") refresh();
      if (event.target.name === "on_behalf") authorisations(onBehalf.checked);
    });
    refresh();
    if (onBehalf) authorisations();
  });
})();
