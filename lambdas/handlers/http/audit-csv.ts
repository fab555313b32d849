// GET /audit.csv?from=&to=&bom=: the audit events of a time range, across all streams, as CSV for auditors.
import { auditDependencies } from '../../commons/audit-dependencies.ts';
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { csvResponse } from '../../http/csv-response.ts';
import { httpHandler } from '../../http/handler.ts';
import { queryOf, verifiedPrincipalId } from '../../http/request.ts';
import { auditCsvQuery } from '../../http/schemas/audit-csv.ts';
import { auditCsv } from '../../use-cases/audit-export.ts';
import { principalOf } from '../../use-cases/context.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const { bom, ...range } = queryOf(event, auditCsvQuery);
  const exported = await auditCsv({ ...auditDependencies(), clock: deps.clock }, caller, range);
  return csvResponse(`audit-${exported.from}-${exported.to}.csv`, exported.csv, { bom });
});
