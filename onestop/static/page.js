// What every page's controls do, without inline handlers (the Content-Security-Policy allows only
// scripts served from this site):
// - a submit button with data-confirm asks before its form goes: the question is read from the
//   attribute as text, so names in it (a file's, a step's) are never run as script;
// - a select with data-autosubmit sends its form when it changes (the lists' filters);
// - a button with data-print prints the page (the slips).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    const question = button && button.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener("change", function (event) {
    const field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) field.form.submit();
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });
})();
