// `stepwise serve`: the REST service and its workers. Settings come from --config FILE (YAML), with
// every key also a flag, and STEPWISE_TOKEN for the token. The command's work lives in serve-run.ts.
import { Command, Option } from 'commander';
import type { ServeFlags } from './serve-run';

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the REST service (and workers) over PostgreSQL or a folder of journals')
    .exitOverride()
    .showSuggestionAfterError()
    .option('--config <file>', 'a YAML file of settings (every key is also a flag)')
    .option('--store <url|dir>', 'postgres://… (many workers, recovery) or a folder (embedded, one process) [.stepwise/runs]')
    .option('--tasks <dir>', 'the folder of *.task.yaml files the API can start (reloaded on change)')
    .option('--host <host>', 'the address to listen on; anything but loopback needs a token [127.0.0.1]')
    .option('--port <port>', 'the port to listen on (0 picks a free one) [8080]')
    .option('--token <token>', 'bearer token required by the API (or STEPWISE_TOKEN)')
    .option('--allowed-hosts <names>', 'comma-separated host names the API answers besides loopback ones (then only those, token or not)')
    .option('--no-api', 'no REST API: a worker-only process (PostgreSQL store)')
    .option('--workers <n>', 'workers in this process [1]')
    .option('--concurrency <n>', 'runs one worker executes at once [16]')
    .addOption(new Option('--clock <clock>', 'clock of runs started through the API [real]').choices(['real', 'virtual']))
    .option('--mocks <file|pattern>', "mocks for every task, or a pattern such as '${taskDir}/${taskName}.mocks.yaml'")
    .option('--retention <duration>', 'delete finished runs this long after they ended [30d]')
    .option('--recovery-retry-after <duration>', 'retry a held run that journals nothing for this long [2m]')
    .option('--recovery-max-attempts <n>', 'executions of a run before it fails with recovery-exhausted [3]')
    .option('--recovery-exclude <tasks>', 'comma-separated task names recovery leaves alone')
    .option('--recovery-scan-every <duration>', 'how often the recovery worker scans [10s]')
    .option('--lease-ttl <duration>', 'how long a claim lasts without renewal [30s]')
    .option('--release-after <duration>', 'release a waiting run whose next timer is at least this far [1s]')
    .option('--poll-every <duration>', 'how often idle workers look for due runs [1s]')
    .option('--vault-address <url>', "HashiCorp Vault's address for secrets (or VAULT_ADDR)")
    .option('--vault-mount <name>', 'the KV version 2 mount [secret]')
    .option('--vault-path <path>', "the secret whose keys become secrets.* (token: VAULT_TOKEN, or AppRole: VAULT_ROLE_ID and VAULT_SECRET_ID)")
    .option('--vault-namespace <name>', 'Vault namespace (or VAULT_NAMESPACE)')
    .option('--vault-refresh <duration>', 'how often the secret is read again [1m]')
    .option('-q, --quiet', 'print only the address and errors')
    .action(async (flags: ServeFlags, cmd: Command) => {
      // Required here, not imported at the top: other commands never load the server (serve-run.ts).
      const { runServe } = require('./serve-run') as typeof import('./serve-run');
      await runServe(flags, cmd);
    });
}
