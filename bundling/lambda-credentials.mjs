// Stands in for @aws-sdk/credential-provider-node in Lambda bundles (serverless.yml custom.esbuild.alias).
// Lambda always hands a function its role's credentials in the environment, so the node provider
// chain (SSO, profiles, STS web identity, IMDS) is dead weight there: about 100 KB minified, mostly
// the nested STS and SSO clients. Local runs and tests use the real chain (they are not bundled).
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init = {}) => fromEnv(init);
