import { RekindleError } from '../shared/errors';

/** A request without a verified identity: the API's authorizer let nothing through, or it is misconfigured. */
export class AgentNotAuthenticated extends RekindleError {
  constructor() {
    super('AgentNotAuthenticated', 'Sign in as an agent first');
  }
}

/** A signed-in user outside the group the route is for. */
export class AgentNotAllowed extends RekindleError {
  constructor(role: string) {
    super('AgentNotAllowed', `This needs the ${role}s group`);
  }
}

/** The Cognito groups of the stack's user pool (infra/agents.ts): supervisors may do what agents do. */
export const AGENT_GROUP = 'agents';
export const SUPERVISOR_GROUP = 'supervisors';

/**
 * The groups claim as the HTTP API's JWT authorizer hands it over: an array, or one string such as
 * "[agents supervisors]".
 */
const groupsOf = (claim: unknown): string[] => {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
};

/**
 * Who calls, from the claims API Gateway verified (the Cognito token's `sub` and `cognito:groups`), checked
 * for the role again here: a route never trusts that the authorizer is in front of it.
 */
export const agentOf = (event: unknown, role: 'agent' | 'supervisor'): { id: string; groups: string[] } => {
  const claims = (
    event as { requestContext?: { authorizer?: { jwt?: { claims?: Record<string, unknown> } } } }
  )?.requestContext?.authorizer?.jwt?.claims;
  const id = claims?.sub;
  if (typeof id !== 'string' || id === '') throw new AgentNotAuthenticated();
  const groups = groupsOf(claims?.['cognito:groups']);
  const allowed = role === 'supervisor' ? [SUPERVISOR_GROUP] : [AGENT_GROUP, SUPERVISOR_GROUP];
  if (!groups.some((group) => allowed.includes(group))) throw new AgentNotAllowed(role);
  return { id, groups };
};
