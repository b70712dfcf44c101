/** GET /openapi.json (no auth): the API described from the schemas that validate it. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { once } from '../../adapters/once.ts';
import { openApiDocument } from './openapi-document.ts';

// Built on the first request, not at import: a cold start does no work it can put off.
const body = once(() => JSON.stringify(openApiDocument()));

export const handler = async (): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'cache-control': 'max-age=300' },
  body: body(),
});
