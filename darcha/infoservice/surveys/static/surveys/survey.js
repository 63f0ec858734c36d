// A question shown only for a given answer to an earlier one: hidden (and its inputs disabled, so nothing
// is sent for it) until that answer is chosen. Without this script every question is shown with a note
// saying when to answer it, and the server ignores the answers to questions whose condition is not met.
(function () {
  "use strict";
  function update(form) {
    var dependent = form.querySelectorAll("[data-show-if]");
    dependent.forEach(function (box) {
      var name = box.getAttribute("data-show-if");
      var value = box.getAttribute("data-show-value");
      var chosen = form.querySelector('input[name="' + name + '"][value="' + value + '"]');
      var parent = chosen ? chosen.closest("fieldset") : null;
      var visible = !!(chosen && chosen.checked && !(parent && parent.hidden));
      box.hidden = !visible;
      box.querySelectorAll("input, textarea, select").forEach(function (input) {
        input.disabled = !visible;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-survey-form]");
    if (!form) return;
    form.addEventListener("change", function () {
      update(form);
    });
    update(form);
  });
})();
