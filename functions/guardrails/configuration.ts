import type { z } from 'zod';
import { describeFirstIssue, RekindleError } from '../shared/errors';

/** Stack-wide guardrail configuration that does not parse; synthesis (or a cold start) fails. */
export class InvalidGuardrails extends RekindleError {
  constructor(message: string) {
    super('InvalidGuardrails', message);
  }
}

/**
 * The defaults with the keys a configuration overrides. The override is what CDK context hands over: a
 * JSON string from `-c name='{...}'`, or an object from cdk.json; nothing means the defaults.
 */
export const withOverrides = <T extends Record<string, unknown>>(
  name: string,
  schema: z.ZodObject,
  defaults: T,
  override: unknown,
  example: string,
): T => {
  let given = override ?? {};
  if (typeof given === 'string') {
    try {
      given = JSON.parse(given);
    } catch {
      throw new InvalidGuardrails(`${name}: must be JSON such as ${example}`);
    }
  }
  const parsed = schema.partial().safeParse(given);
  if (!parsed.success) throw new InvalidGuardrails(`${name}.${describeFirstIssue(parsed.error)}`);
  return { ...defaults, ...(parsed.data as Partial<T>) };
};
