// Licence import page: refuse a file larger than the limit in the browser, before it is sent
// (the server refuses it too, by its declared length, before reading it).
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
  var limit = Number(input.dataset.maxBytes);
  var file = input.files && input.files[0];
  input.setCustomValidity(file && file.size > limit ? input.dataset.tooLarge || "File too large" : "");
  input.reportValidity();
});
