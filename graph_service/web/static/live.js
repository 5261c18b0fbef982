// The coordinators' worklist, kept up to date while the page is open.
//
// Progressive enhancement: without JavaScript (or EventSource) the page works as before and
// shows what was true when it loaded. With it, /worklist/events says when the worklist for
// this view changed (no names, no ids), and the worklist is fetched again from
// /worklist/part and put in place. A refresh waits while focus is inside the worklist, so
// that nobody loses their place, and a polite status line says when it happened.
(function () {
  "use strict";
  var body = document.getElementById("worklist-body");
  var status = document.getElementById("worklist-live");
  if (!body || !status || !window.EventSource || !window.fetch) {
    return;
  }
  var query = window.location.search;
  var source = new EventSource("/worklist/events" + query);
  var timer = null;

  function later(delay) {
    if (timer === null) {
      timer = window.setTimeout(refresh, delay);
    }
  }

  function time() {
    var now = new Date();
    return now.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function refresh() {
    timer = null;
    if (body.contains(document.activeElement)) {
      later(2000);
      return;
    }
    window
      .fetch("/worklist/part" + query, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("worklist " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;
        var fresh = template.content.getElementById("worklist-body");
        if (fresh) {
          body.replaceWith(fresh);
          body = fresh;
          status.textContent = "The worklist was updated at " + time() + ".";
        }
      })
      .catch(function () {
        status.textContent = "The worklist could not be updated: reload the page to see changes.";
      });
  }

  source.addEventListener("worklist", function () {
    later(300); // several changes in a moment make one refresh
  });
  source.addEventListener("bye", function () {
    source.close();
  });
})();
