// `npm run bench`: runs every benchmark in turn and prints its figures (arguments are passed on, e.g. --events).
import { parseArgs } from 'node:util';
import { benchAudit } from './audit.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '20' },
  },
  strict: false,
});

console.log('== audit: point-in-time access and verify ==');
await benchAudit({ events: Number(values.events), queries: Number(values.queries) });
