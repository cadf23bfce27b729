// Reads {"csl": ..., "bibtex": ..., "ris": ...} on stdin and prints, for each, the CSL-JSON
// citation-js makes of it, so the Python tests can compare whole items.
const { Cite } = require("@citation-js/core");
require("@citation-js/plugin-bibtex");
require("@citation-js/plugin-ris");
require("@citation-js/plugin-csl");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const styles = JSON.parse(input);
  const out = {};
  for (const [name, text] of Object.entries(styles)) {
    const forced = { csl: "@csl/list+object", bibtex: "@biblatex/text", ris: "@ris/file" }[name];
    const data = name === "csl" ? JSON.parse(text) : text;
    out[name] = new Cite(data, { forceType: forced }).data.map(({ _graph, ...item }) => item);
  }
  process.stdout.write(JSON.stringify(out));
});
