/* Progress indication on long exports (progressive enhancement; without JavaScript the link
   simply downloads). A link with data-export="<message>" shows the message in a polite live
   region next to it while the file is prepared, and disables repeated clicks for a while:
   the server builds CSV, Excel and PDF files in one request, which can take several seconds. */
(function () {
  "use strict";

  var BUSY_MS = 8000;

  function statusFor(link) {
    var id = link.getAttribute("data-export-status");
    var status = id && document.getElementById(id);
    if (status) { return status; }
    status = document.createElement("span");
    status.className = "export-status";
    status.setAttribute("role", "status");
    status.id = "export-status-" + Math.random().toString(36).slice(2);
    link.setAttribute("data-export-status", status.id);
    link.insertAdjacentElement("afterend", status);
    return status;
  }

  function start(event) {
    var link = event.target.closest("a[data-export]");
    if (!link) { return; }
    if (link.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    var status = statusFor(link);
    link.setAttribute("aria-busy", "true");
    link.classList.add("is-busy");
    status.textContent = link.getAttribute("data-export");
    window.setTimeout(function () {
      link.removeAttribute("aria-busy");
      link.classList.remove("is-busy");
      status.textContent = "";
    }, BUSY_MS);
  }

  document.addEventListener("click", start);
})();
