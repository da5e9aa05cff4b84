// Progress of a link job: poll the job's JSON status and move the bar; when the job is done,
// show 100% for a moment and open the results. Without JavaScript the page refreshes itself
// (a <meta refresh> inside <noscript>), so nothing here is needed to see progress.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || !window.fetch) {
    return;
  }
  var bar = box.querySelector("progress");
  var percentText = box.querySelector("[data-percent]");
  var stageText = box.querySelector("[data-stage]");
  var statusUrl = box.getAttribute("data-status-url");
  var resultsUrl = box.getAttribute("data-results-url");
  var failures = 0;

  function show(status) {
    var percent = Math.max(0, Math.min(100, Number(status.percent) || 0));
    if (status.status === "done") {
      percent = 100;
    }
    bar.value = percent;
    bar.textContent = percent + "%";
    percentText.textContent = percent + "%";
    stageText.textContent = status.stage_label || status.status_label || "";
  }

  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        failures = 0;
        show(status);
        if (status.status === "done") {
          window.setTimeout(function () { window.location.assign(resultsUrl); }, 800);
        } else if (status.finished) {
          // Failed: reload to show the reason the server rendered.
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        failures += 1;
        window.setTimeout(poll, Math.min(10000, 1000 * Math.pow(2, failures)));
      });
  }

  window.setTimeout(poll, 300);
})();
