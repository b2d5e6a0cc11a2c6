// The rating: the reasons shown are those of the answer chosen (why satisfied, or why not).
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    const good = form.querySelector(".reasons-good");
    const bad = form.querySelector(".reasons-bad");
    if (!good || !bad) return;
    function show() {
      const answer = form.querySelector('input[name="satisfied"]:checked');
      const value = answer ? answer.value : "";
      [[good, "yes"], [bad, "no"]].forEach(function (pair) {
        pair[0].hidden = value !== pair[1];
        pair[0].querySelectorAll("input").forEach(function (input) { input.disabled = value !== pair[1]; });
      });
      form.querySelector(".rating-reasons").hidden = !value;
    }
    form.addEventListener("change", show);
    show();
  });
})();
