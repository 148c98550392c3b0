// Proof of work (web/schutz/pow.py): find a nonce so that SHA-256("<token>:<nonce>") starts with
// `difficulty` zero bits. Runs in a Worker; reports progress every few thousand tries.
"use strict";

function leadingZeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

async function solve(token, difficulty, report) {
  const encoder = new TextEncoder();
  const prefix = token + ":";
  for (let nonce = 0; ; nonce += 1) {
    const digest = await crypto.subtle.digest("SHA-256", encoder.encode(prefix + nonce));
    if (leadingZeroBits(new Uint8Array(digest)) >= difficulty) {
      return String(nonce);
    }
    if (nonce % 4096 === 4095) {
      report(nonce + 1);
    }
  }
}

if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  self.onmessage = async (event) => {
    const { token, difficulty } = event.data;
    const nonce = await solve(token, difficulty, (tries) => self.postMessage({ tries }));
    self.postMessage({ nonce });
  };
} else {
  // loaded as a page script: the fallback solver for browsers without Worker
  window.amtsflussPowSolve = solve;
}
