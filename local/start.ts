// `npm start`: runs Keyholder locally and prints how to use it. Flags: --persist [dir]. Env: PORT, KEYHOLDER_POLICY,
// KEYHOLDER_DEV_PLATFORM=1 (a local platform that admin grants are provisioned on).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parsePrincipalClaim } from '../lambdas/core/principal-claim.ts';
import { REPO_ROOT, startLocalStack } from './stack.ts';

function persistDirFrom(argv: readonly string[]): string | undefined {
  const index = argv.indexOf('--persist');
  if (index === -1) return undefined;
  const next = argv[index + 1];
  return path.resolve(next && !next.startsWith('--') ? next : path.join(REPO_ROOT, '.local-data'));
}

async function policyFromFile(): Promise<unknown> {
  const file = process.env.KEYHOLDER_POLICY;
  if (!file) return {};
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`KEYHOLDER_POLICY=${file} could not be read as JSON: ${(error as Error).message}`);
  }
}

async function main(): Promise<void> {
  const persistDir = persistDirFrom(process.argv.slice(2));
  const stack = await startLocalStack({
    port: Number(process.env.PORT ?? 3000),
    policy: await policyFromFile(),
    persistDir,
    devPlatform: process.env.KEYHOLDER_DEV_PLATFORM === '1',
    principalClaim: parsePrincipalClaim(process.env.KEYHOLDER_PRINCIPAL_CLAIM, 'KEYHOLDER_PRINCIPAL_CLAIM'),
    ...(process.env.KEYHOLDER_OIDC_PORT ? { oidcPort: Number(process.env.KEYHOLDER_OIDC_PORT) } : {}),
  });
  const rows = stack.seed.principals.map(
    (p) =>
      `  ${p.id.padEnd(10)} ${p.name.padEnd(18)} ${p.organisation.padEnd(10)} ${p.grade.padEnd(19)} ${(p.clearance ? `${p.clearance.level} until ${p.clearance.expiresAt.slice(0, 10)}` : 'no clearance').padEnd(20)} ${p.roles.join(',')}`,
  );
  console.log(`
Keyholder is running locally (started in ${process.uptime().toFixed(1)} s, Node ${process.version})

  API             ${stack.url}
  console: ${stack.consoleUrl}
  Sign-in (OpenID) ${stack.oidc.issuer} (no passwords locally: pick a person; clients ${stack.oidc.clients.console}, ${stack.oidc.clients.cli})
  OpenAPI         ${stack.url}/openapi.json
  SCIM 2.0        ${stack.scim.url}  (bearer token ${stack.scim.client}: ${stack.scim.token})
  Dev mailbox     ${stack.url}/dev/mailbox
  Directory       ${stack.url}/dev/principals (${stack.provisioning.users} people provisioned through SCIM in ${stack.provisioning.ms} ms: ${stack.provisioning.created} created, ${stack.provisioning.updated} updated, ${stack.provisioning.unchanged} unchanged, ${stack.provisioning.groups} groups; principal id ${stack.provisioning.idAttribute})
${stack.platform ? `  Dev platform    ${stack.platform.url} (admin grants go here: webhook provider "dev-platform")\n` : ''}  DynamoDB Local  ${stack.dynamodbEndpoint}${persistDir ? ` (data kept in ${persistDir})` : ' (in memory)'}
  Policy          cap ${stack.policy.externalAdminCap} external admins, approval timeout ${stack.policy.approvalTimeout}, min duration ${stack.policy.minDuration}

Seeded people:
${rows.join('\n')}

Sign in: open the console, or from a terminal \`npx keyholder login --api ${stack.url}\` (device flow).
For scripts, a dev token (the principal id in the ${process.env.KEYHOLDER_PRINCIPAL_CLAIM || 'sub'} claim):
  TOKEN=$(curl -s -X POST ${stack.url}/dev/token -H 'content-type: application/json' -d '{"sub":"ext-gus"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
  curl -s ${stack.url}/datasets -H "authorization: Bearer $TOKEN"

Ctrl-C stops everything.
`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Keyholder…`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
