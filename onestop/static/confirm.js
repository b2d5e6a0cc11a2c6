// A submit button with data-confirm asks before its form goes: the question is read from the
// attribute as text, so names in it (a file's, a step's) are never run as script.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    const question = button && button.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
