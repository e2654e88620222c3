import type { z } from 'zod';

/**
 * Errors whose `name` is what Step Functions matches in Retry/Catch and what an operator sees as the
 * execution's error, so each failure mode gets a name of its own.
 */
export class RekindleError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The exhaustive `default` of a switch over a union: a new member that is not handled fails to compile. */
export const assertUnreachable = (value: never): never => {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
};

/** The execution input of a run is malformed; nothing was written. */
export class InvalidRunInput extends RekindleError {
  constructor(message: string) {
    super('InvalidRunInput', message);
  }
}

/** A second start of a run that already started (scheduler retry, double console launch). */
export class RunAlreadyStarted extends RekindleError {
  constructor(runId: string) {
    super('RunAlreadyStarted', `Run ${runId} has already started; nobody is enrolled twice`);
  }
}

/** An app event that does not match the event schema. */
export class InvalidAppEvent extends RekindleError {
  constructor(message: string) {
    super('InvalidAppEvent', message);
  }
}

/** A channel provider refused or failed a message. */
export class ChannelSendFailed extends RekindleError {
  constructor(channel: string, reason: string) {
    super('ChannelSendFailed', `${channel} send failed: ${reason}`);
  }
}

/** Describes the first zod issue as "field: problem", so the message names the field. */
export const describeFirstIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
    return `${issue.keys.map((key) => `${prefix}${key}`).join(', ')}: unknown field`;
  }
  const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `${field}: ${issue.message}`;
};
