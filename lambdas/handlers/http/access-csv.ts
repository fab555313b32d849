// GET /access.csv?at=&bom=: who held which scopes now or at an instant, as CSV for auditors.
import { auditDependencies } from '../../commons/audit-dependencies.ts';
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { csvResponse } from '../../http/csv-response.ts';
import { httpHandler } from '../../http/handler.ts';
import { queryOf, verifiedPrincipalId } from '../../http/request.ts';
import { accessCsvQuery } from '../../http/schemas/access-csv.ts';
import { accessCsv } from '../../use-cases/access-history.ts';
import { principalOf } from '../../use-cases/context.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const { at, bom } = queryOf(event, accessCsvQuery);
  const exported = await accessCsv({ ...deps, ...auditDependencies() }, caller, at);
  return csvResponse(`access-${exported.at}.csv`, exported.csv, { bom });
});
