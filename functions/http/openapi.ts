/** GET /openapi.json (no auth): the API described from the schemas that validate it. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { openApiDocument } from './openapi-document.ts';

const body = JSON.stringify(openApiDocument());

export const handler = async (): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'cache-control': 'max-age=300' },
  body,
});
