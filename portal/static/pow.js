// Solves the sign-up form's proof-of-work challenge (workflow/challenge.go):
// finds a number n such that SHA-256(challenge ":" n) starts with the asked
// number of zero bits, with the browser's own SHA-256 (Web Crypto). Without
// it (or without JavaScript) the form is sent after the wait it states.
(function () {
  "use strict";
  var form = document.querySelector('form[action="/signup"]');
  var token = form && form.querySelector('input[name="challenge"]');
  var answer = form && form.querySelector('input[name="challenge_answer"]');
  if (!token || !answer || !window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return;
  }
  var bits = parseInt(token.getAttribute("data-bits"), 10);
  var enc = new TextEncoder();
  var batch = 256;

  function zeros(buf) {
    var b = new Uint8Array(buf), n = 0;
    for (var i = 0; i < b.length; i++) {
      if (b[i] !== 0) {
        return n + Math.clz32(b[i]) - 24;
      }
      n += 8;
    }
    return n;
  }

  function from(start) {
    var hashes = [];
    for (var i = 0; i < batch; i++) {
      hashes.push(crypto.subtle.digest("SHA-256", enc.encode(token.value + ":" + (start + i))));
    }
    return Promise.all(hashes).then(function (sums) {
      for (var i = 0; i < sums.length; i++) {
        if (zeros(sums[i]) >= bits) {
          return String(start + i);
        }
      }
      return from(start + batch);
    });
  }

  var solved = false;
  var sending = false;
  var work = from(0).then(function (n) {
    answer.value = n;
    solved = true;
    form.setAttribute("data-challenge", "solved");
  });
  form.addEventListener("submit", function (e) {
    if (solved) {
      return;
    }
    e.preventDefault();
    if (sending) {
      return;
    }
    sending = true;
    var note = document.getElementById("challenge-note");
    if (note && note.getAttribute("data-working")) {
      note.textContent = note.getAttribute("data-working");
    }
    work.then(function () {
      form.submit();
    });
  });
})();
