/** The OpenAPI 3.1 document of the API, generated from the same schemas that validate requests. */
import { DATA_RESOURCE_NAMES } from '../../core/cluster/replacements.ts';
import { CLUSTER_ID, CLUSTER_ID_MAX } from '../../core/names/shared.ts';
import * as z from 'zod/mini';
import {
  clusterQuerySchema,
  CREATE_DEFAULTS,
  createClusterSchema,
  createQuerySchema,
  updateQuerySchema,
  deleteQuerySchema,
  eventsQuerySchema,
  keepaliveSchema,
  listQuerySchema,
  parkSchema,
  updateClusterSchema,
} from '../../core/cluster/request.ts';
import { CLUSTER_STATUSES } from '../../core/cluster/status.ts';
import { AGENT_INSTANCE_TYPES } from '../../core/cluster/instance-types.ts';
import { KNOWN_DETERMINED_VERSIONS } from '../../core/cluster/determined-versions.ts';
import { auditQuerySchema } from '../../core/audit/request.ts';
import { EVENT_TYPES } from '../../core/notifications/events.ts';
import { putWebhookSchema, WEBHOOK_NAME } from '../../core/notifications/webhook-request.ts';

type Json = Record<string, unknown>;

const schema = (value: z.ZodMiniType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(value, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
};

function queryParameters(value: z.ZodMiniObject): Json[] {
  const json = schema(value) as { properties?: Record<string, Json> };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
  }));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const json = (description: string, body: Json) => ({
  description,
  content: { 'application/json': { schema: body } },
});
const clusterPath = {
  name: 'clusterId',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: CLUSTER_ID.source, maxLength: CLUSTER_ID_MAX },
};
const teamPath = {
  name: 'team',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9._-]{0,63}$' },
};
const webhookPath = {
  name: 'name',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: WEBHOOK_NAME.source },
};
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', maxLength: 255 },
};
const common = {
  '400': problem('Invalid request: see `errors`'),
  '401': problem('No token, or a token that is not valid'),
  '403': problem('The token lacks the scope this route needs (clusters:read, clusters:write)'),
  '500': problem('Internal error; the body names the request id'),
};
const accepted = (description: string) => ({
  description,
  headers: { Location: { schema: { type: 'string' } } },
  content: { 'application/json': { schema: ref('Cluster') } },
});

export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Determined cluster control plane',
      version: '1.0.0',
      description: 'Self-service Determined clusters on AWS: the det-deploy of the seed, as a service.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        CreateCluster: withDefaultsAndRules(schema(createClusterSchema)),
        UpdateCluster: withKnownVersions(schema(updateClusterSchema)),
        Keepalive: schema(keepaliveSchema),
        Park: schema(parkSchema),
        Cluster: {
          type: 'object',
          required: [
            'clusterId',
            'team',
            'owner',
            'deploymentType',
            'status',
            'parameters',
            'outputs',
            'createdAt',
            'updatedAt',
            'idle',
            'version',
            'cost',
          ],
          properties: {
            clusterId: { type: 'string' },
            team: { type: 'string' },
            owner: { type: 'string' },
            deploymentType: { type: 'string' },
            status: { type: 'string', enum: [...CLUSTER_STATUSES] },
            statusReason: {
              type: 'string',
              description:
                'On a failure: the first failing stack resource, its type and CloudFormation’s reason',
            },
            parameters: { type: 'object', description: 'The request after defaults, without secrets' },
            outputs: {
              type: 'object',
              additionalProperties: { type: 'string' },
              description: 'Stack outputs, camelCased (masterUrl, masterId, checkpointBucket, …)',
            },
            stackId: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
            idle: {
              type: 'object',
              properties: {
                idleTimeout: { type: 'string' },
                idleSince: { type: 'string', format: 'date-time' },
                expiresAt: { type: 'string', format: 'date-time' },
                teardownAt: { type: 'string', format: 'date-time' },
                keepAliveUntil: { type: 'string', format: 'date-time' },
              },
            },
            version: { type: 'integer' },
            retained: {
              type: 'object',
              properties: { checkpointBucket: { type: 'string' }, dbSnapshot: { type: 'string' } },
            },
            stoppedAt: {
              type: 'string',
              format: 'date-time',
              description: 'When the cluster was last stopped (while STOPPED)',
            },
            upgrade: {
              type: 'object',
              description: 'The latest in-place upgrade of Determined and its pre-upgrade database snapshot',
              properties: {
                from: { type: 'string' },
                to: { type: 'string' },
                snapshot: { type: 'string', description: 'RDS snapshot identifier, kept after the upgrade' },
                requestedAt: { type: 'string', format: 'date-time' },
                requestedBy: { type: 'string' },
                snapshotTakenAt: { type: 'string', format: 'date-time' },
              },
            },
            cost: ref('Cost'),
          },
        },
        Cost: {
          type: 'object',
          description:
            'An estimate from the price list and the control plane’s own records, not the AWS bill',
          required: ['currency', 'hourly', 'hourlyMax', 'monthToDate', 'basis'],
          properties: {
            currency: { type: 'string', enum: ['USD'] },
            hourly: {
              type: 'number',
              description: 'USD per hour in the present state (running agents included)',
            },
            hourlyMax: { type: 'number', description: 'USD per hour with every dynamic agent running' },
            monthToDate: { type: 'number', description: 'USD since the first of the month (UTC)' },
            basis: {
              type: 'string',
              description: 'The price list, its date, and what is and is not counted',
            },
          },
        },
        Team: {
          type: 'object',
          required: ['team', 'policy', 'usage', 'spend'],
          properties: {
            team: { type: 'string' },
            policy: { type: 'object', description: 'The team policy in force (docs/team-policy.md)' },
            usage: {
              type: 'object',
              properties: {
                clusters: { type: 'integer' },
                maxClusters: { type: 'integer' },
                byStatus: { type: 'object', additionalProperties: { type: 'integer' } },
              },
            },
            spend: {
              type: 'object',
              properties: {
                currency: { type: 'string', enum: ['USD'] },
                month: { type: 'string', description: 'UTC month, YYYY-MM' },
                monthToDate: { type: 'number' },
                budgetUsd: { type: ['number', 'null'] },
                budgetUsedPercent: { type: ['number', 'null'] },
                hourly: { type: 'number', description: 'What the team’s clusters cost per hour now' },
                notified: {
                  type: 'object',
                  description: 'Budget thresholds (80, 100) notified this month, and when',
                  additionalProperties: { type: 'string', format: 'date-time' },
                },
                basis: { type: 'string' },
              },
            },
          },
        },
        PutWebhook: schema(putWebhookSchema),
        Webhook: {
          type: 'object',
          required: ['team', 'name', 'url', 'events', 'format', 'createdAt', 'updatedAt', 'updatedBy'],
          properties: {
            team: { type: 'string' },
            name: { type: 'string' },
            url: { type: 'string' },
            events: { type: 'array', items: { type: 'string', enum: [...EVENT_TYPES] } },
            format: { type: 'string', enum: ['json', 'slack'] },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
            updatedBy: { type: 'string' },
          },
        },
        AuditEntry: {
          type: 'object',
          required: ['at', 'actor', 'team', 'action', 'outcome', 'requestId'],
          properties: {
            at: { type: 'string', format: 'date-time' },
            actor: { type: 'string', description: 'The token’s sub, or "reaper" / "workflow"' },
            team: { type: 'string' },
            action: { type: 'string', description: 'cluster.create, cluster.delete, webhook.put, …' },
            clusterId: { type: 'string' },
            target: { type: 'string', description: 'A webhook’s name' },
            outcome: {
              type: 'string',
              description:
                '"accepted" for a request; the status a workflow reached; done/failed for the reaper',
            },
            requestId: { type: 'string' },
            actorTeam: { type: 'string' },
            detail: { type: 'string' },
          },
        },
        TimelineEntry: {
          type: 'object',
          required: ['id', 'at', 'source', 'kind', 'message'],
          properties: {
            id: { type: 'string' },
            at: { type: 'string', format: 'date-time' },
            source: { type: 'string', enum: ['control-plane', 'stack'] },
            kind: { type: 'string' },
            message: { type: 'string' },
            status: { type: 'string' },
            agents: {
              type: 'integer',
              description: 'On `agents` entries: the dynamic agents counted running',
            },
            resource: { type: 'object' },
          },
        },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            requestId: { type: 'string' },
            budgetUsd: { type: 'number', description: 'budget-exceeded: the team’s monthly budget' },
            spentUsd: { type: 'number', description: 'budget-exceeded: its spend this month (UTC)' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { field: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/clusters': {
        post: {
          summary: 'Request a new cluster (det-deploy aws up)',
          parameters: [...queryParameters(createQuerySchema), idempotencyKey],
          requestBody: { required: true, content: { 'application/json': { schema: ref('CreateCluster') } } },
          responses: {
            '202': accepted('The create workflow started'),
            '200': json(
              'Dry run: the template and parameters that would be sent (secrets masked), and the cost',
              {
                type: 'object',
                properties: {
                  template: { type: 'object' },
                  parameters: { type: 'object' },
                  cost: ref('Cost'),
                },
              },
            ),
            ...common,
            '409': problem('The id is taken'),
            '413': problem('Body over 16 KiB'),
            '415': problem('Body is not JSON'),
            '422': problem('Idempotency-Key reused with another body'),
            '429': problem(
              'Team quota reached (type …quota-exceeded), or the team’s monthly budget is spent (type …budget-exceeded, with budgetUsd and spentUsd)',
            ),
          },
        },
        get: {
          summary: "The caller's team's clusters, newest first",
          parameters: queryParameters(listQuerySchema),
          responses: {
            '200': json('A page of clusters', {
              type: 'object',
              properties: { items: { type: 'array', items: ref('Cluster') }, nextToken: { type: 'string' } },
            }),
            ...common,
          },
        },
      },
      '/clusters/{clusterId}': {
        get: {
          summary: 'One cluster (an admin names another team with ?team=)',
          parameters: [clusterPath, ...queryParameters(clusterQuerySchema)],
          responses: {
            '200': json('The cluster', ref('Cluster')),
            ...common,
            '404': problem('No such cluster in your team'),
          },
        },
        patch: {
          summary: 'Change instance types, agent limits, spot, idle settings (updates the stack)',
          description:
            'An update whose CloudFormation change set would replace or remove the database, the checkpoint bucket or a shared file system is refused (400, field allowReplacement) unless allowReplacement names it; ?dryRun=true shows the change set. A newer determinedVersion, alone, upgrades Determined in place: the agents’ work ends, the database is snapshotted, the new master boots, and a master that does not answer is rolled back onto the snapshot (UPDATE_FAILED with the reason). An older or unknown version is 400.',
          parameters: [clusterPath, ...queryParameters(updateQuerySchema), idempotencyKey],
          requestBody: { required: true, content: { 'application/json': { schema: ref('UpdateCluster') } } },
          responses: {
            '202': accepted('The update started'),
            '200': json(
              'Dry run (?dryRun=true): the same checks, then what CloudFormation would change (a change set, created, read and deleted); nothing is changed',
              {
                type: 'object',
                properties: {
                  clusterId: { type: 'string' },
                  changedParameters: { type: 'array', items: { type: 'string' } },
                  upgrade: {
                    type: 'object',
                    properties: { from: { type: 'string' }, to: { type: 'string' } },
                  },
                  changes: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        logicalId: { type: 'string' },
                        type: { type: 'string' },
                        action: { type: 'string', enum: ['Add', 'Modify', 'Remove', 'Import', 'Dynamic'] },
                        replacement: { type: 'string', enum: ['True', 'False', 'Conditional'] },
                        properties: { type: 'array', items: { type: 'string' } },
                      },
                    },
                  },
                  dataAtRisk: {
                    type: 'array',
                    description:
                      'The database, checkpoint bucket or shared file system the update would replace or remove',
                    items: {
                      type: 'object',
                      properties: {
                        resource: { type: 'string', enum: [...DATA_RESOURCE_NAMES] },
                        logicalId: { type: 'string' },
                        type: { type: 'string' },
                        how: { type: 'string', enum: ['replaced', 'maybe replaced', 'removed'] },
                      },
                    },
                  },
                  refusal: {
                    type: 'string',
                    description:
                      'Set when the update itself would be refused (data at risk not in allowReplacement)',
                  },
                  cost: ref('Cost'),
                },
              },
            ),
            ...common,
            '404': problem('No such cluster'),
            '409': problem('Not allowed in the current status'),
            '429': problem(
              'The change raises hourlyMax and the team’s monthly budget is spent (budget-exceeded)',
            ),
          },
        },
        delete: {
          summary: 'Tear down (det-deploy aws down); data is kept unless purge=true',
          parameters: [clusterPath, ...queryParameters(deleteQuerySchema), idempotencyKey],
          responses: {
            '202': accepted('The delete started'),
            ...common,
            '404': problem('No such cluster'),
            '409': problem('Already deleted'),
          },
        },
      },
      '/clusters/{clusterId}/events': {
        get: {
          summary: 'Timeline: control-plane transitions and stack events, newest first',
          parameters: [clusterPath, ...queryParameters(eventsQuerySchema)],
          responses: {
            '200': json('A page of the timeline', {
              type: 'object',
              properties: {
                items: { type: 'array', items: ref('TimelineEntry') },
                nextToken: { type: 'string' },
              },
            }),
            ...common,
            '404': problem('No such cluster'),
          },
        },
      },
      '/clusters/{clusterId}/keepalive': {
        post: {
          summary:
            "Reset the idle clock (and cancel a pending idle teardown); `until` at most the team policy's maxKeepalive ahead",
          parameters: [clusterPath, ...queryParameters(clusterQuerySchema)],
          requestBody: { required: false, content: { 'application/json': { schema: ref('Keepalive') } } },
          responses: {
            '200': json('The cluster', ref('Cluster')),
            ...common,
            '404': problem('No such cluster'),
            '409': problem('Not running'),
          },
        },
      },
      '/clusters/{clusterId}/stop': {
        post: {
          summary:
            'Stop (park) a READY cluster: agents terminated, master and database stopped; the stack, volumes, addresses and bucket stay',
          parameters: [clusterPath, ...queryParameters(clusterQuerySchema), idempotencyKey],
          requestBody: { required: false, content: { 'application/json': { schema: ref('Park') } } },
          responses: {
            '202': accepted('The stop started (STOPPING)'),
            ...common,
            '404': problem('No such cluster'),
            '409': problem('Not READY, STOP_FAILED or START_FAILED'),
          },
        },
      },
      '/clusters/{clusterId}/start': {
        post: {
          summary:
            'Start a STOPPED cluster: the same master at the same URL, READY once Determined answers again',
          parameters: [clusterPath, ...queryParameters(clusterQuerySchema), idempotencyKey],
          requestBody: { required: false, content: { 'application/json': { schema: ref('Park') } } },
          responses: {
            '202': accepted('The start began (STARTING)'),
            ...common,
            '404': problem('No such cluster'),
            '409': problem('Not STOPPED, START_FAILED or STOP_FAILED'),
          },
        },
      },
      '/teams/{team}': {
        get: {
          summary: 'The team’s policy in force, its clusters, and its spend this month against its budget',
          parameters: [teamPath],
          responses: {
            '200': json('The team', ref('Team')),
            ...common,
            '404': problem('Not your team (an admin may name any team)'),
          },
        },
      },
      '/teams/{team}/webhooks': {
        get: {
          summary: 'The team’s webhooks (no secrets)',
          parameters: [teamPath],
          responses: {
            '200': json('The webhooks', {
              type: 'object',
              properties: { items: { type: 'array', items: ref('Webhook') } },
            }),
            ...common,
            '404': problem('Not your team'),
          },
        },
      },
      '/teams/{team}/webhooks/{name}': {
        put: {
          summary: 'Add or replace a webhook; the answer carries its new signing secret, once',
          parameters: [teamPath, webhookPath],
          requestBody: { required: true, content: { 'application/json': { schema: ref('PutWebhook') } } },
          responses: {
            '200': json('The webhook and its signing secret (whsec_…), shown only now', {
              allOf: [ref('Webhook'), { type: 'object', properties: { secret: { type: 'string' } } }],
            }),
            ...common,
            '404': problem('Not your team'),
            '409': problem('The team has 20 webhooks already'),
          },
        },
        delete: {
          summary: 'Remove a webhook and its secret',
          parameters: [teamPath, webhookPath],
          responses: { '204': { description: 'Removed' }, ...common, '404': problem('No such webhook') },
        },
      },
      '/teams/{team}/webhooks/{name}/test': {
        post: {
          summary: 'Send a webhook.test event to this webhook',
          parameters: [teamPath, webhookPath],
          responses: {
            '202': json('Queued', { type: 'object', properties: { eventId: { type: 'string' } } }),
            ...common,
            '404': problem('No such webhook'),
          },
        },
      },
      '/audit': {
        get: {
          summary: 'Who did what, newest first: the caller’s team’s entries (an admin’s: every team’s)',
          parameters: queryParameters(auditQuerySchema),
          responses: {
            '200': json('A page of the audit trail', {
              type: 'object',
              properties: {
                items: { type: 'array', items: ref('AuditEntry') },
                nextToken: { type: 'string' },
              },
            }),
            ...common,
          },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } },
      },
      '/health': {
        get: { summary: 'Liveness', security: [], responses: { '200': { description: 'Alive' } } },
      },
      '/': {
        get: {
          summary: 'The web console (no token needed to load it; it calls this API with the user’s token)',
          security: [],
          responses: { '200': { description: 'The console page', content: { 'text/html': {} } } },
        },
      },
      '/console/{asset}': {
        get: {
          summary: 'The console’s script and style sheet, named by their content',
          security: [],
          parameters: [
            { name: 'asset', in: 'path', required: true, schema: { type: 'string', maxLength: 64 } },
          ],
          responses: {
            '200': { description: 'The file (cache it for good: its name changes with its content)' },
            '404': problem('No such file'),
          },
        },
      },
    },
  };
}

/**
 * What zod's JSON Schema cannot say by itself: each field's default (the one the API applies) and
 * its rule in words, and the agent types' allow-list as an enum. The console builds its create
 * form from this, so the form and the API agree by construction.
 */
const CREATE_RULES: Record<string, string> = {
  clusterId: 'Letters, digits and hyphens, starting with a letter; 1 to 64 characters. Names the stack.',
  keypair: 'The name of an EC2 key pair in the region.',
  deploymentType: 'simple, vpc, efs, fsx or secure (private master behind a bastion).',
  masterInstanceType: 'An EC2 instance type name such as m5.large.',
  cpuAgentInstanceType: 'One of the supported agent instance types.',
  gpuAgentInstanceType: 'One of the supported agent instance types.',
  inboundCidr: 'An IPv4 CIDR allowed to reach the master; a team policy may forbid 0.0.0.0/0.',
  dbPassword:
    'Generated when left empty. 8 to 128 letters, digits or - . _ ~ ! $ & ( ) * + , ; = : ; never stored or shown.',
  region: 'One of the regions with Determined images; the control plane’s region when left empty.',
  maxCpuContainersPerAgent: 'A whole number from 1 to 1000.',
  maxIdleAgentPeriod: 'A duration such as 90s, 10m or 1h.',
  maxDynamicAgents: 'A whole number from 0 to 1000.',
  spot: 'Run agents on spot instances.',
  spotMaxPrice: 'USD per hour, a decimal such as 0.75; only with spot (default: the on-demand price).',
  determinedVersion: 'A Determined release such as 0.38.1.',
  idleTimeout: 'A duration such as 30s, 45m or 4h, or never; the team’s default when left empty.',
  expiresAt: 'An ISO-8601 instant in the future such as 2030-01-31T18:00:00Z: a hard end.',
  tags: 'Up to 20 key=value pairs; keys the stack or Determined set are reserved.',
  schedule: 'An IANA time zone and five-field cron expressions to start and stop the cluster.',
  restoreFrom:
    'A torn-down cluster of your team whose kept bucket and database snapshot this one takes over.',
  protected: 'Exempt from idle actions (admins only).',
};

function withDefaultsAndRules(json: Json): Json {
  const properties = json.properties as Record<string, Json>;
  const defaults: Record<string, unknown> = CREATE_DEFAULTS;
  for (const [name, property] of Object.entries(properties)) {
    if (defaults[name] !== undefined) property.default = defaults[name];
    if (CREATE_RULES[name]) property.description = CREATE_RULES[name];
    if (name === 'cpuAgentInstanceType' || name === 'gpuAgentInstanceType')
      property.enum = [...AGENT_INSTANCE_TYPES];
    if (name === 'determinedVersion') property.enum = [...KNOWN_DETERMINED_VERSIONS];
  }
  return json;
}

/** PATCH: the releases an upgrade may name (the console offers those newer than the cluster's). */
function withKnownVersions(json: Json): Json {
  const version = (json.properties as Record<string, Json>).determinedVersion;
  if (version) version.enum = [...KNOWN_DETERMINED_VERSIONS];
  return json;
}
