/** Structured JSON logs (Powertools Logger). Secrets never reach it: handlers log ids and statuses only. */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'det-control-plane' });
