// The menu editor's only script: problems beside each node while typing, and the simulated
// call. Everything it shows comes from the server, which decides; this only fetches.
"use strict";
(function () {
  const form = document.getElementById("editor");
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const status = document.getElementById("status");
  let timer = null;
  let inputs = [];

  function post(url, extra) {
    const body = new URLSearchParams(new FormData(form));
    for (const [name, value] of Object.entries(extra || {})) body.set(name, value);
    return fetch(url, { method: "POST", body, headers: { "X-CSRF-Token": csrf } })
      .then((reply) => {
        if (!reply.ok) throw new Error("the server answered " + reply.status);
        return reply.json();
      });
  }

  function showProblems(problems) {
    document.querySelectorAll("ul.problems").forEach((list) => list.replaceChildren());
    document.querySelectorAll("section.node").forEach((node) => node.classList.remove("has-problems"));
    form.querySelectorAll(".bad").forEach((input) => {
      input.classList.remove("bad");
      input.removeAttribute("aria-invalid");
    });
    for (const p of problems) {
      const node = document.querySelector('section.node[data-node="' + CSS.escape(p.node) + '"]');
      const list = node ? node.querySelector("ul.problems") : document.getElementById("problems-menu");
      const item = document.createElement("li");
      item.textContent = p.message + " (" + p.rule + ", " + p.path + ")";
      list.append(item);
      if (node) node.classList.add("has-problems");
      const input = p.field ? form.elements.namedItem(p.field) : null;
      if (input) {
        input.classList.add("bad");
        input.setAttribute("aria-invalid", "true");
      }
    }
    status.textContent = problems.length ? problems.length + " problem(s)" : "No problems";
  }

  function check() {
    post(form.dataset.check).then((data) => showProblems(data.problems))
      .catch((err) => { status.textContent = "Could not check: " + err.message; });
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });

  const lines = document.getElementById("sim-lines");
  function play() {
    post(form.dataset.try, { inputs: JSON.stringify(inputs) }).then((data) => {
      lines.replaceChildren();
      if (data.problems.length) {
        showProblems(data.problems);
        const item = document.createElement("li");
        item.textContent = "Fix the problems shown before trying the menu.";
        lines.append(item);
        return;
      }
      for (const line of data.lines) {
        const item = document.createElement("li");
        item.className = "kind-" + line.kind;
        item.textContent = (line.kind === "prompt" ? "Hotline: " : line.kind === "decision" ? "Decision: " : "Caller: ") + line.text;
        lines.append(item);
      }
      if (data.ended) {
        const item = document.createElement("li");
        item.id = "sim-ended";
        item.textContent = "The call leaves the menu here.";
        lines.append(item);
      }
      lines.scrollTop = lines.scrollHeight;
    }).catch((err) => { lines.textContent = "Could not play: " + err.message; });
  }

  document.getElementById("sim-start").addEventListener("click", () => { inputs = []; play(); });
  document.querySelectorAll(".keypad button").forEach((button) => {
    button.addEventListener("click", () => { inputs.push({ keys: button.dataset.key }); play(); });
  });
  document.getElementById("sim-say").addEventListener("submit", (event) => {
    event.preventDefault();
    const words = document.getElementById("sim-words");
    if (words.value.trim()) { inputs.push({ words: words.value }); words.value = ""; play(); }
  });
})();
