// Proof of work in the browser (web/schutz/pow.py, template schutz/_pow.html).
// Each [data-pow] block of a form holds a signed challenge; a Worker finds the nonce while the
// person fills in the form. Sending before it is found waits for it (the button's name and value
// are kept). The status text is a polite live region for screen readers.
"use strict";

(function () {
  function solveInWorker(block, token, difficulty, onTries) {
    return new Promise((resolve, reject) => {
      let worker;
      try {
        worker = new Worker(block.dataset.powWorker);
      } catch (error) {
        reject(error);
        return;
      }
      worker.onmessage = (event) => {
        if (event.data.nonce !== undefined) {
          worker.terminate();
          resolve(event.data.nonce);
        } else {
          onTries(event.data.tries);
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        worker.terminate();
        reject(new Error("worker failed"));
      };
      worker.postMessage({ token, difficulty });
    });
  }

  function loadFallback(block) {
    return new Promise((resolve, reject) => {
      if (window.amtsflussPowSolve) {
        resolve(window.amtsflussPowSolve);
        return;
      }
      const script = document.createElement("script");
      script.src = block.dataset.powWorker;
      script.onload = () => resolve(window.amtsflussPowSolve);
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function start(block) {
    const form = block.closest("form");
    const token = block.querySelector("input[data-pow-challenge]").value;
    const nonceInput = block.querySelector("input[data-pow-nonce]");
    const status = block.querySelector("[data-pow-status]");
    const difficulty = Number(block.dataset.powDifficulty);
    const say = (text) => {
      status.textContent = text;
    };
    say(block.dataset.powWorking);
    const onTries = () => {};
    const solving = solveInWorker(block, token, difficulty, onTries)
      .catch(() => loadFallback(block).then((solve) => solve(token, difficulty, onTries)))
      .then((nonce) => {
        nonceInput.value = nonce;
        block.dataset.powSolved = "true";
        say(block.dataset.powDone);
        return nonce;
      });
    if (!form) {
      return;
    }
    form.addEventListener("submit", (event) => {
      if (block.dataset.powSolved === "true") {
        return;
      }
      event.preventDefault();
      say(block.dataset.powWaiting);
      const submitter = event.submitter;
      solving.then(() => {
        if (submitter && submitter.name) {
          const carry = document.createElement("input");
          carry.type = "hidden";
          carry.name = submitter.name;
          carry.value = submitter.value;
          form.appendChild(carry);
        }
        form.submit();
      });
    });
  }

  function init() {
    if (window.amtsflussPowStarted) {
      return; // the include appears more than once on the page
    }
    window.amtsflussPowStarted = true;
    if (!window.crypto || !window.crypto.subtle) {
      return; // no Web Crypto (plain HTTP): the server's waiting fallback applies
    }
    document.querySelectorAll("[data-pow]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
