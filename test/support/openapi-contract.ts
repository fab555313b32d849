// Checks real answers against the OpenAPI document: the status is documented for the operation, the content type
// is one the document gives for that status (none when it gives none), and the body validates, with Ajv's JSON
// Schema 2020-12 validator, against that media type's schema, with the document loaded whole so $refs resolve.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const BASE = 'https://keyholder.invalid/openapi.json';

export interface RealAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

/** An operation's key as the document spells it: `GET /requests/{id}`. */
export type OperationKey = string;

const pointer = (...parts: string[]) =>
  parts.map((part) => `/${part.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

export function openApiContract(document: Record<string, any>) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: BASE });

  const operations: OperationKey[] = Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();

  /** What is wrong with this answer to this operation, in words; empty when the document tells the truth. */
  function problems(key: OperationKey, answer: RealAnswer): string[] {
    const [method = '', path = ''] = key.split(' ');
    const operation = document.paths[path]?.[method.toLowerCase()];
    if (!operation) return [`${key} is not in the document`];
    let response = operation.responses[answer.status];
    let at = pointer('paths', path, method.toLowerCase(), 'responses', String(answer.status));
    if (!response)
      return [`${key} answered ${answer.status}, not documented (${Object.keys(operation.responses)})`];
    if (response.$ref) {
      at = (response.$ref as string).slice(1);
      response = at
        .split('/')
        .slice(1)
        .reduce((node: any, part) => node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')], document);
    }
    const content = (response.content ?? {}) as Record<string, unknown>;
    const mediaType = (answer.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    // x-empty-body: the document says this answer may also be empty, with no content type (Slack's acknowledgement).
    if (response['x-empty-body'] === true && answer.contentType === null && answer.text === '') return [];
    if (Object.keys(content).length === 0) {
      return answer.text === ''
        ? []
        : [`${key} ${answer.status}: documented without content, answered a body`];
    }
    if (!Object.hasOwn(content, mediaType)) {
      return [
        `${key} ${answer.status}: content type ${mediaType || '(none)'}, documented ${Object.keys(content)}`,
      ];
    }
    let body: unknown = answer.text;
    if (mediaType.endsWith('json')) {
      try {
        body = JSON.parse(answer.text);
      } catch {
        return [`${key} ${answer.status}: ${mediaType} body is not JSON: ${answer.text.slice(0, 80)}`];
      }
    }
    const validate = ajv.getSchema(`${BASE}#${at}${pointer('content', mediaType, 'schema')}`);
    if (!validate) return [`${key} ${answer.status}: no schema for ${mediaType}`];
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) =>
        `${key} ${answer.status}: body${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
    );
  }

  return { operations, problems };
}
