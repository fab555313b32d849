// keyholder access | datasets: who holds (or held) what, and the catalogue.
import type { Context } from '../context.ts';
import { UsageError } from '../errors.ts';
import { accessHistoryTable, accessNowTable, datasetsTable, titlesOf } from '../views.ts';

export async function access(
  context: Context,
  options: { at?: string; principal?: string; scope?: string; csv?: boolean },
): Promise<void> {
  const api = await context.authenticatedApi();
  if (options.csv) {
    if (options.principal || options.scope)
      throw new UsageError(
        '--csv gives who held access now or --at a time; it takes no --principal or --scope',
      );
    const csv = await context.call(
      api.GET('/access.csv', { params: { query: { at: options.at } }, parseAs: 'text' }),
    );
    context.io.stdout.write(csv.endsWith('\n') ? csv : `${csv}\r\n`);
    return;
  }
  const query = { at: options.at, principal: options.principal, scope: options.scope };
  const [answer, datasets] = await Promise.all([
    context.call(api.GET('/access', { params: { query } })),
    context.json ? Promise.resolve(undefined) : context.call(api.GET('/datasets')).catch(() => undefined),
  ]);
  if (context.json) return context.printJson(answer);
  const view = { now: context.now(), style: context.style, titles: titlesOf(datasets) };
  context.print(
    'intervals' in answer
      ? accessHistoryTable(answer, view)
      : accessNowTable(answer, { ...view, atGiven: options.at !== undefined }),
  );
}

export async function datasets(context: Context): Promise<void> {
  const api = await context.authenticatedApi();
  const list = await context.call(api.GET('/datasets'));
  if (context.json) return context.printJson(list);
  context.print(datasetsTable(list, context.style));
}
