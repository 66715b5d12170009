// `stepwise test`: runs the cases of task test files (*.test.yaml). The command's work lives in
// test-run.ts, loaded only when this command runs.
import { Command, Option } from 'commander';

export function testCommand(): Command {
  return new Command('test')
    .description('run task tests (*.test.yaml) on the virtual clock with mocks; exit 0 when all pass, 1 when one fails')
    .exitOverride()
    .argument('[files...]', 'test files, folders or globs (default: the current folder)')
    .addOption(new Option('--reporter <reporter>', 'output format').choices(['text', 'json', 'junit']).default('text'))
    .option('--coverage', 'print the coverage of the task files and write coverage/lcov.info')
    .action(async (files: string[], opts: { reporter: 'text' | 'json' | 'junit'; coverage?: boolean }) => {
      // Required here, not imported at the top: other commands never load the test runner.
      const { runTests } = require('./test-run') as typeof import('./test-run');
      process.exitCode = await runTests(files, opts);
    });
}
