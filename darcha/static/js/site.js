/* Darcha's pages (base.html), no framework; every part switches on by a data attribute. The
   Content-Security-Policy runs no inline script or on…= handler, so the pages' small behaviours live here:
   [data-lang-switch]  the language switch returns to the address shown now (htmx may have pushed
                       another one since the page was rendered)
   [data-lang-links]   the same for the switcher's links: the link's page, with the query shown now
   [data-print]        a print button */
(function () {
  "use strict";

  document.querySelectorAll("form[data-lang-switch]").forEach((form) => {
    form.addEventListener("submit", () => {
      if (form.elements.next) form.elements.next.value = location.pathname + location.search;
    });
  });

  document.querySelectorAll("[data-lang-links] a[href]").forEach((link) => {
    link.addEventListener("click", () => {
      link.search = location.search;
    });
  });

  // Marked once bound: a page that also loads the queue screens' kiosk.js prints once per click.
  document.querySelectorAll("[data-print]:not([data-print-bound])").forEach((button) => {
    button.setAttribute("data-print-bound", "");
    button.addEventListener("click", () => window.print());
  });
})();
