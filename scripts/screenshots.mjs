// `npm run screenshots`: refreshes the pictures in docs/images/ from the real thing: the graph
// editor in headless Chromium (light, dark, high contrast, debugging) and the journey through
// code-server's workbench. `npm test` takes the same pictures into the git-ignored
// .scratch/screenshots/ instead, so a test run never rewrites tracked files.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, STEPWISE_SCREENSHOTS: path.join(root, 'docs', 'images') };
const sh = (cmd, args) => execFileSync(cmd, args, { cwd: root, env, stdio: 'inherit' });

sh('npm', ['run', '--silent', 'build']);
sh('npm', ['run', '--silent', 'compile-tests']);
sh('npm', ['run', '--silent', 'compile-vscode-tests']);
sh('node', ['--test', '--test-name-pattern', 'screenshots', 'out/test/webview/browser.test.js']);
sh('node', ['test/vscode-harness/run.mjs', '--no-suite', '--no-trust', '--no-installed']);
