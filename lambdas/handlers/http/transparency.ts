// GET /transparency: the public report (no authentication), as a page or, with ?format=json, as JSON.
import { auditDependencies } from '../../commons/audit-dependencies.ts';
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { driftDependencies } from '../../commons/drift-dependencies.ts';
import { publicHtmlResponse } from '../../http/csv-response.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { queryOf } from '../../http/request.ts';
import { transparencyQuery } from '../../http/schemas/transparency.ts';
import { transparencyPage } from '../../presentation/transparency-page.ts';
import { catalogueOf } from '../../use-cases/context.ts';
import { publishedTransparencyReport } from '../../use-cases/transparency.ts';

export const handler = httpHandler(async (event) => {
  const { format } = queryOf(event, transparencyQuery);
  const deps = coreDependencies();
  const report = await publishedTransparencyReport({
    ...deps,
    ...auditDependencies(),
    ...driftDependencies(),
  });
  if (format === 'json') return jsonResponse(200, report, { 'cache-control': 'public, max-age=300' });
  return publicHtmlResponse(transparencyPage(report, await catalogueOf(deps)));
});
