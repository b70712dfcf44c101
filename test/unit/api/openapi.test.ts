/** The OpenAPI document names every route serverless.yml serves, with its method. */
import { readRoutes } from '../../../local/gateway.ts';
import { openApiDocument } from '../../../functions/http/openapi-document.ts';

describe('the OpenAPI document', () => {
  it('documents every HTTP route of serverless.yml', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    const missing = readRoutes()
      .filter((route) => !paths[route.path]?.[route.method.toLowerCase()])
      .map((route) => `${route.method} ${route.path}`);
    expect(missing).toEqual([]);
  });
});
