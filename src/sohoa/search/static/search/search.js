// Search page keys: "/" puts the cursor in the search box, ArrowDown/ArrowUp move through the hits,
// Enter opens the chosen hit (it is a focused link). Works on results swapped in by htmx too.
(function () {
  "use strict";

  function searchBox() {
    return document.getElementById("q");
  }

  function hitLinks() {
    return Array.from(document.querySelectorAll("#search-results .hit-link"));
  }

  function isTyping(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function choose(links, index) {
    links.forEach(function (a) {
      a.closest(".hit").classList.remove("selected");
    });
    var link = links[index];
    link.closest(".hit").classList.add("selected");
    link.focus();
    link.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    var active = document.activeElement;
    var box = searchBox();
    if (!box) return;
    if (event.key === "/" && !isTyping(active)) {
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var links = hitLinks();
    var index = links.indexOf(active);
    // Other inputs (years, dates, sort) keep their own arrow keys.
    if (isTyping(active) && active !== box) return;
    if (!links.length) return;
    event.preventDefault();
    if (event.key === "ArrowDown") {
      choose(links, index < 0 ? 0 : Math.min(index + 1, links.length - 1));
    } else if (index > 0) {
      choose(links, index - 1);
    } else if (index === 0) {
      links[0].closest(".hit").classList.remove("selected");
      box.focus();
    }
  });
})();
