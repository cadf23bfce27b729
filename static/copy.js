// Copy a citation to the clipboard. A separate file so the Content-Security-Policy can forbid inline scripts.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) return;
  var text = document.getElementById(button.dataset.copy).textContent;
  navigator.clipboard.writeText(text).then(function () {
    button.textContent = "Tersalin / Copied";
  });
});
