// The body's small toolbar: wraps the selected text in the few tags the sanitiser keeps. No library, no
// network; without JavaScript the textarea takes the same HTML by hand.
(function () {
  "use strict";
  var TOOLS = [
    ["B", "<strong>", "</strong>"],
    ["I", "<em>", "</em>"],
    ["H2", "<h2>", "</h2>"],
    ["H3", "<h3>", "</h3>"],
    ["¶", "<p>", "</p>"],
    ["•", "<ul>\n<li>", "</li>\n</ul>"],
    ["1.", "<ol>\n<li>", "</li>\n</ol>"],
    ["❝", "<blockquote>", "</blockquote>"],
    ["a href", null, null]
  ];
  function wrap(area, open, close) {
    var start = area.selectionStart, end = area.selectionEnd, value = area.value;
    var chosen = value.slice(start, end);
    area.value = value.slice(0, start) + open + chosen + close + value.slice(end);
    area.focus();
    area.selectionStart = start + open.length;
    area.selectionEnd = start + open.length + chosen.length;
  }
  document.querySelectorAll("textarea.publication-body").forEach(function (area) {
    var bar = document.createElement("div");
    bar.className = "publication-toolbar";
    bar.setAttribute("role", "toolbar");
    TOOLS.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = tool[0];
      button.setAttribute("aria-label", tool[1] === null ? "<a href>" : tool[1]);
      button.addEventListener("click", function () {
        if (tool[1] === null) {
          var href = window.prompt("https://");
          if (href && /^(https?:|mailto:|tel:)/i.test(href)) {
            wrap(area, '<a href="' + href.replace(/"/g, "&quot;") + '">', "</a>");
          }
          return;
        }
        wrap(area, tool[1], tool[2]);
      });
      bar.appendChild(button);
    });
    area.parentNode.insertBefore(bar, area);
  });
})();
