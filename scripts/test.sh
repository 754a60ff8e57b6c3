#!/usr/bin/env bash
# Sets up (scripts/setup.sh), then builds, typechecks, lints and runs every test: unit, plugin, PHP (phpunit)
# and end to end against the built rr. Ends with one summary line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh || { echo "0 passed, 1 failed (setup failed)"; exit 1; }

log="$(mktemp -t rr-test.XXXXXX.log)"
trap 'rm -f "$log"' EXIT
# --continue: one failing package must not hide the results of the others. --concurrency 3: many suites
# spawn real PHP workers; on 2 cores, ten at once push the load past 15 and make timeouts flaky.
pnpm --silent turbo run build typecheck lint test e2e --continue --concurrency=3 --output-logs=full 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Count what the runners reported: Vitest ("Tests  3 failed | 40 passed (43)") and PHPUnit
# ("OK (12 tests, 40 assertions)" or "Tests: 12, Assertions: 40, Failures: 1, Errors: 1.").
summary="$(sed 's/\x1b\[[0-9;]*m//g' "$log" | node -e '
  let passed = 0, failed = 0;
  for (const line of require("fs").readFileSync(0, "utf8").split("\n")) {
    let m;
    if (/\bTests\s{2,}/.test(line)) {
      if ((m = line.match(/(\d+) failed/))) failed += +m[1];
      if ((m = line.match(/(\d+) passed/))) passed += +m[1];
    } else if ((m = line.match(/OK \((\d+) tests?,/))) {
      passed += +m[1];
    } else if ((m = line.match(/Tests: (\d+), Assertions: \d+(.*)/))) {
      const bad = [...m[2].matchAll(/(?:Failures|Errors): (\d+)/g)].reduce((s, x) => s + +x[1], 0);
      failed += bad; passed += +m[1] - bad;
    }
  }
  process.stdout.write(passed + " passed, " + failed + " failed");
')"
if [ "$status" -ne 0 ]; then
  echo "$summary (a build, typecheck, lint or test task failed: see above)"
  exit 1
fi
echo "$summary"
