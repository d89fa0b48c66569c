/* A running rebuild on the Rebuild and Status pages: follow the job's JSON and tell its
   progress in the page's live region, rather than reloading the whole page every few
   seconds (which sent screen readers back to the top of the page). The words come from
   the server (the JSON's "text"), so the page says the same with and without this script;
   without it, the page reloads itself (its <noscript> refresh). */
(function () {
  "use strict";
  var box = document.querySelector(".job[data-job-url]");
  if (!box || !window.fetch) {
    return;
  }
  var live = box.querySelector(".job-progress");
  var bar = box.querySelector("progress");
  var label = box.querySelector(".job-state");
  var note = box.querySelector(".job-refresh");
  var wait = (Number(box.getAttribute("data-poll-seconds")) || 2) * 1000;

  function say(words) {
    if (live.textContent !== words) {  // an unchanged text is not announced again
      live.textContent = words;
    }
  }

  function finish(words) {
    say(words);
    if (bar) {
      bar.remove();
    }
    var link = document.createElement("a");
    link.href = window.location.pathname;
    link.textContent = "See the full report";
    note.textContent = "";
    note.appendChild(link);
  }

  function show(data) {
    if (!data.ok) {  // the job is gone, or the session ended
      finish(data.error + " Reload the page to see where things stand.");
      return false;
    }
    label.textContent = data.text.label;
    if (data.text.finished) {
      finish(data.text.label + ": " + data.text.outcome);
      return false;
    }
    say(data.text.progress);
    if (bar) {
      bar.max = data.job.total || 1;
      bar.value = data.job.done;
    }
    return true;
  }

  function poll() {
    fetch(box.getAttribute("data-job-url"), {
      credentials: "same-origin", headers: {"Accept": "application/json"}
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (show(data)) {
          later();
        }
      })
      .catch(later);  // a network hiccup: try again
  }

  function later() {
    window.setTimeout(poll, wait);
  }

  later();
}());
