// keyholder request | requests | show | approve | deny | cancel | extend | revoke: the request lifecycle.
import type { paths } from '../../lambdas/http/api-schema.generated.ts';
import type { Api, RequestView } from '../api.ts';
import type { Context } from '../context.ts';
import {
  requestDetail,
  requestsTable,
  standing,
  statusInColour,
  type Titles,
  timelineLines,
  titlesOf,
} from '../views.ts';

type Status = NonNullable<NonNullable<paths['/requests']['get']['parameters']['query']>['status']>;

/** The catalogue's titles, to show datasets by name; without them (the call failed) the ids show. */
async function titles(context: Context, api: Api): Promise<Titles> {
  try {
    return titlesOf(await context.call(api.GET('/datasets')));
  } catch {
    return undefined;
  }
}

/** After an action: the request as it now stands, in one line, then its details. */
async function report(context: Context, api: Api, verb: string, request: RequestView): Promise<void> {
  if (context.json) return context.printJson(request);
  const names = await titles(context, api);
  const now = context.now();
  const { bold } = context.style;
  const headline = `${verb} ${bold(request.id)}: ${statusInColour(request.status, context.style)}, ${standing(request, now)}.`;
  context.print(requestDetail(request, { now, style: context.style, titles: names, headline }));
}

export async function submit(
  context: Context,
  scopes: string[],
  options: { for: string; why: string; ticket?: string; breakGlass?: boolean },
): Promise<void> {
  const api = await context.authenticatedApi();
  const request = await context.call(
    api.POST('/requests', {
      body: {
        scopes,
        justification: options.why,
        duration: options.for,
        ticket: options.ticket,
        ...(options.breakGlass ? { breakGlass: true } : {}),
      },
    }),
  );
  await report(context, api, 'Requested', request);
  if (!context.json) context.note(`Follow it with: keyholder show ${request.id}`);
}

export async function list(context: Context, options: { status?: Status }): Promise<void> {
  const api = await context.authenticatedApi();
  const [answer, names] = await Promise.all([
    context.call(api.GET('/requests', { params: { query: { status: options.status } } })),
    context.json ? Promise.resolve(undefined) : titles(context, api),
  ]);
  if (context.json) return context.printJson(answer);
  context.print(requestsTable(answer.requests, { now: context.now(), style: context.style, titles: names }));
}

export async function show(context: Context, id: string, options: { all?: boolean } = {}): Promise<void> {
  const api = await context.authenticatedApi();
  const path = { params: { path: { id } } };
  const [request, timeline] = await Promise.all([
    context.call(api.GET('/requests/{id}', path)),
    context.call(api.GET('/requests/{id}/timeline', path)),
  ]);
  if (context.json) return context.printJson({ request, timeline });
  const now = context.now();
  const names = await titles(context, api);
  context.print(requestDetail(request, { now, style: context.style, titles: names }));
  context.print(
    `\n${context.style.bold('Timeline')}\n${timelineLines(timeline, { now, style: context.style, all: options.all })}`,
  );
}

export async function decide(
  context: Context,
  id: string,
  decision: 'approve' | 'deny',
  comment: string | undefined,
): Promise<void> {
  const api = await context.authenticatedApi();
  const request = await context.call(
    api.POST('/requests/{id}/decisions', { params: { path: { id } }, body: { decision, comment } }),
  );
  await report(context, api, decision === 'approve' ? 'Approved' : 'Denied', request);
}

export async function cancel(context: Context, id: string): Promise<void> {
  const api = await context.authenticatedApi();
  const request = await context.call(api.POST('/requests/{id}/cancel', { params: { path: { id } } }));
  await report(context, api, 'Cancelled', request);
}

export async function extend(
  context: Context,
  id: string,
  options: { for: string; why: string },
): Promise<void> {
  const api = await context.authenticatedApi();
  const request = await context.call(
    api.POST('/requests/{id}/extend', {
      params: { path: { id } },
      body: { duration: options.for, justification: options.why },
    }),
  );
  await report(context, api, 'Asked for more time on', request);
}

export async function revoke(context: Context, id: string, options: { reason: string }): Promise<void> {
  const api = await context.authenticatedApi();
  const request = await context.call(
    api.POST('/requests/{id}/revoke', { params: { path: { id } }, body: { reason: options.reason } }),
  );
  await report(context, api, request.revocation ? 'Revocation pending for' : 'Revoked', request);
}
