// Runs before `npm start` and `npm test`, on whatever Node the machine has (plain JavaScript, no TypeScript, no
// dependencies), so that a missing prerequisite is one line that says what to install, never a stack trace.
//   node local/preflight.mjs
// Node 24 normally comes with `npm install` (node-<platform>-<arch> optional dependencies put `node` first on every
// npm script's PATH); Java cannot come from the npm registry, so it is the one thing a machine must have.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MIN_NODE = 24;
const MIN_JAVA = 17;

/** The major version of `java -version` ("17.0.15" -> 17, "1.8.0_392" -> 8), or undefined when there is no java. */
function javaMajor(java) {
  const result = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 5000 });
  if (result.error || result.status !== 0) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

/**
 * What stops Keyholder from running here, as one line that says how to fix it; undefined when nothing does.
 * @param {{ nodeVersion?: string, platform?: string, arch?: string, java?: string, projectRoot?: string }} [machine]
 */
export function missingPrerequisite(machine = {}) {
  const nodeVersion = machine.nodeVersion ?? process.versions.node;
  const platform = machine.platform ?? process.platform;
  const arch = machine.arch ?? process.arch;
  const java =
    machine.java ?? (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
  const projectRoot = machine.projectRoot ?? root;
  if (!existsSync(path.join(projectRoot, 'node_modules', '.package-lock.json'))) {
    return 'dependencies are not installed: run `npm install` first (e.g. `npm install && npm start`).';
  }
  if (Number(nodeVersion.split('.')[0]) < MIN_NODE) {
    const projectNode = path.join(
      projectRoot,
      'node_modules',
      '.bin',
      platform === 'win32' ? 'node.cmd' : 'node',
    );
    return existsSync(projectNode)
      ? `Node ${MIN_NODE} or newer is needed and this is v${nodeVersion}: run it through npm ` +
          '(`npm start`, `npm test`, `npx keyholder`), which runs the Node 24 that `npm install` put in node_modules/.bin.'
      : `Node ${MIN_NODE} or newer is needed and this is v${nodeVersion}: \`npm install\` brings it for ` +
          `linux-x64, linux-arm64, darwin-x64 and win-x64 (not for ${platform}-${arch}, or optional dependencies were ` +
          `left out); install Node ${MIN_NODE} (https://nodejs.org) and run the command again.`;
  }
  const install =
    platform === 'darwin'
      ? '`brew install openjdk@17`'
      : '`sudo apt-get install default-jre-headless` (Debian/Ubuntu) or `sudo dnf install java-17-openjdk-headless`';
  const major = javaMajor(java);
  if (major === undefined) {
    return `Java ${MIN_JAVA} or newer is needed for DynamoDB Local and none was found (${java}): install it with ${install}.`;
  }
  if (major < MIN_JAVA) {
    return `Java ${MIN_JAVA} or newer is needed for DynamoDB Local and ${java} is Java ${major}: install it with ${install}.`;
  }
  return undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problem = missingPrerequisite();
  if (problem) {
    process.stderr.write(`keyholder: ${problem}\n`);
    process.exit(1);
  }
}
