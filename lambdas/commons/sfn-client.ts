// The Step Functions client, once per process (see ./clients.ts).
import { SFNClient } from '@aws-sdk/client-sfn';
import { perProcess } from './clients.ts';

export const sfnClient: () => SFNClient = perProcess('SFN', () => new SFNClient({}));
