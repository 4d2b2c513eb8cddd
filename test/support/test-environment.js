// Jest's node environment, plus: when a test file ends, whatever it registered as open
// (test/support/open-resources.ts) and did not close is closed here, after every hook of the file
// has run, and named on stderr. A suite whose afterAll failed no longer leaves a listening service
// or a postgres child behind to keep jest from exiting.
const { TestEnvironment } = require('jest-environment-node');

class SwitchboardTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
  }

  async teardown() {
    const open = this.global.__SWITCHBOARD_OPEN__;
    if (open && open.size > 0) {
      const left = [...open.values()];
      open.clear();
      const problems = [];
      for (const { label, close } of left) {
        try {
          await close();
        } catch (error) {
          problems.push(`${label}: ${error && error.message ? error.message : String(error)}`);
        }
      }
      process.stderr.write(
        `${this.testPath}: left open by the test file, closed after it: ${left.map((r) => r.label).join(', ')}` +
          (problems.length ? `; closing failed for ${problems.join('; ')}` : '') +
          '\n',
      );
    }
    await super.teardown();
  }
}

module.exports = SwitchboardTestEnvironment;
