import Mocha from 'mocha';

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END } = Mocha.Runner.constants;

/**
 * The spec reporter, followed by each test file's wall time, hooks included (a suite's network start-up is
 * in its `before`). CI has a time budget: this shows where a run spends it without timing it by hand.
 */
class SuiteTimes extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const started = new Map<Mocha.Suite, number>();
    const byFile = new Map<string, number>();
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.parent?.root) started.set(suite, Date.now());
    });
    runner.on(EVENT_SUITE_END, (suite: Mocha.Suite) => {
      const at = started.get(suite);
      if (at === undefined) return;
      const file = (suite.file ?? suite.title).replace(/^.*?\/(?=[^/]+\/dist\/)/, '');
      byFile.set(file, (byFile.get(file) ?? 0) + (Date.now() - at));
    });
    runner.once(EVENT_RUN_END, () => {
      const rows = [...byFile].sort((a, b) => b[1] - a[1]);
      const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
      console.log(`\n  time per test file, hooks included (${(total / 1000).toFixed(0)} s in all):`);
      for (const [file, ms] of rows) console.log(`  ${(ms / 1000).toFixed(1).padStart(8)} s  ${file}`);
    });
  }
}

export = SuiteTimes;
