import { Router } from '@aws-lambda-powertools/event-handler/http';
import {
  LeaseNotHeld,
  queueOverview,
  recordCallOutcome,
  TaskClosed,
  TaskNotFound,
  takeNextTask,
  taskDetail,
} from '../agents/agent-desk';
import { AgentNotAllowed, AgentNotAuthenticated, agentOf } from '../agents/agent-identity';
import { agentConsolePage, consoleHeaders } from '../agents/console-page';
import { InvalidAgentRequest, parseOutcome } from '../agents/dispositions';
import { quietHoursFrom } from '../guardrails/quiet-hours';
import { now } from '../shared/clock';
import { requireEnv } from '../shared/config';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

const callingQuiet = quietHoursFrom(process.env.QUIET_HOURS).call;

// The console page, signing in with the stack's user pool; built once per container.
const signIn = {
  kind: 'cognito' as const,
  region: requireEnv('AWS_REGION'),
  clientId: requireEnv('AGENT_USER_POOL_CLIENT_ID'),
};
const consolePage = agentConsolePage({ signIn });
const consolePageHeaders = consoleHeaders(consolePage, signIn);

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    // The answers carry phones: never cached anywhere.
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });

const QUEUE = /^[a-z0-9-]{1,40}$/;
const queueParam = (queue: string | undefined) => {
  if (!queue || !QUEUE.test(queue))
    throw new InvalidAgentRequest('queue: must be a queue name of a-z, 0-9 and -');
  return queue;
};
const taskParam = (taskId: string | undefined) => {
  // The router decoded the path parameter already.
  const decoded = taskId ?? '';
  if (decoded.length === 0 || decoded.length > 300)
    throw new InvalidAgentRequest('taskId: must be a task id');
  return decoded;
};

const app = new Router();

/** The agent console (public: it holds no data; everything it shows comes from the routes below, signed in). */
app.get('/', () => new Response(consolePage, { status: 200, headers: consolePageHeaders }));

/** The next task of the queue, leased to the calling agent; 204 when there is nothing to call now. */
app.post('/queues/:queue/next', async ({ params, event }) => {
  const agent = agentOf(event, 'agent');
  const task = await takeNextTask(queueParam(params.queue), agent.id, now(), callingQuiet);
  metrics.addDimensions({ queue: params.queue ?? '', found: task ? 'yes' : 'no' });
  metrics.addMetric('CallTasksTaken', 'Count', 1);
  return task ? json(task) : new Response(null, { status: 204 });
});

app.get('/tasks/:taskId', async ({ params, event }) =>
  json(await taskDetail(taskParam(params.taskId), agentOf(event, 'agent').id, now())),
);

app.post('/tasks/:taskId/outcome', async ({ params, event, req }) => {
  const agent = agentOf(event, 'agent');
  const taskId = taskParam(params.taskId);
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    throw new InvalidAgentRequest('body: must be JSON');
  }
  const outcome = parseOutcome(body);
  const recorded = await recordCallOutcome(taskId, agent.id, outcome, now());
  // The disposition and reason only: the note may name the person.
  logger.info('Call outcome recorded', { taskId, disposition: outcome.disposition, result: recorded.result });
  metrics.addDimensions({ disposition: outcome.disposition });
  metrics.addMetric('CallOutcomes', 'Count', 1);
  return json(recorded);
});

/** For supervisors: a queue's counts and open tasks. */
app.get('/queues/:queue', async ({ params, event }) => {
  agentOf(event, 'supervisor');
  return json(await queueOverview(queueParam(params.queue), now(), callingQuiet));
});

const refused = (status: number) => async (error: Error) => {
  logger.warn('Agent request refused', { error: error.name });
  return json({ error: error.name, message: error.message }, status);
};
app.errorHandler(AgentNotAuthenticated, refused(401));
app.errorHandler(AgentNotAllowed, refused(403));
app.errorHandler(InvalidAgentRequest, refused(400));
app.errorHandler(TaskNotFound, refused(404));
app.errorHandler(TaskClosed, refused(409));
app.errorHandler(LeaseNotHeld, refused(409));
// The router decodes path parameters: percent-escapes that do not decode are a malformed request, not a fault.
app.errorHandler(URIError, () => refused(400)(new InvalidAgentRequest('path: must be percent-encoded')));

/** The agent API (HTTP API with a Cognito JWT authorizer): take, read and close call tasks. */
export const handler = lambdaHandler((event: unknown, context) => app.resolve(event, context));
