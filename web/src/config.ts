// Where the API and the OpenID issuer are: /config.json, written by whoever serves the console (the local console
// server, or the CDK deployment next to the app in S3).
export interface ConsoleConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly apiUrl: string;
  readonly audience: string;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`The console's configuration could not be read (${response.status})`);
  return (await response.json()) as ConsoleConfig;
}
