import type { SandboxProviderBehaviour } from '../channels/sandbox';
import type { LinkSigningKeys } from '../links/link-token';
import type { Clock } from './clock';

/**
 * What the local runtime (and tests) put in the place of AWS: the virtual clock, the sandbox providers'
 * answers, the link signing keys that Secrets Manager holds, and whatever it adds to every AWS SDK client
 * (fault injection). One object on `globalThis` under a registered symbol, so that it reaches every copy of
 * the modules: the TypeScript sources run in-process and each esbuild bundle that `cdk synth` builds (which
 * holds a copy of its own). On AWS nothing sets it, and each seam is the real thing.
 */
export interface LocalSeams {
  clock?: Clock;
  sandboxBehaviour?: SandboxProviderBehaviour;
  linkSigningKeys?: LinkSigningKeys;
  /** Called with every AWS SDK client a function creates, before its first call. */
  decorateAwsClient?: (client: object) => void;
}

const SEAMS = Symbol.for('rekindle.local-seams');

type WithSeams = typeof globalThis & { [SEAMS]?: LocalSeams };

/** Lambda sets this in every function's environment: there, no seam is ever used, whatever set one. */
const onLambda = process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined;

/** The seams set on this process, if any (never on Lambda). */
export const localSeams = (): LocalSeams | undefined =>
  onLambda ? undefined : (globalThis as WithSeams)[SEAMS];

/** Sets some seams, keeping the others. */
export const setLocalSeams = (seams: LocalSeams): void => {
  const global = globalThis as WithSeams;
  global[SEAMS] = { ...global[SEAMS], ...seams };
};
