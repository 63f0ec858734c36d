/* The front office's new-application form (cases/front/new.html): the applicant lookup. */
(function () {
  "use strict";

  // A lookup that finds a malformed number answers 400 with the applicant part and its messages: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.id === "applicant") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // After a lookup the summary of an earlier submission no longer applies.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "applicant") {
      var summary = document.getElementById("intake-errors");
      if (summary) summary.remove();
    }
  });
})();
