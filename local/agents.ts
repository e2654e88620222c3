import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { DateTime } from 'luxon';
import { agentConsolePage, type ConsoleSignIn, consoleHeaders } from '../functions/agents/console-page';
import type { CallTask } from '../functions/channels/call-task-queue';
import { agentApiRequest } from './inbound-feed';
import { LocalRekindle } from './runtime';

/** The demo call center's people: who signs in, and in which Cognito group they would be. */
const DEMO_AGENTS: Record<string, { sub: string; groups: string }> = {
  ana: { sub: 'agent-ana', groups: '[agents]' },
  beto: { sub: 'agent-beto', groups: '[agents]' },
  carla: { sub: 'supervisor-carla', groups: '[agents supervisors]' },
};

/** Zones the demo queue's people live in; only those inside calling hours now get tasks. */
const ZONES = [
  'America/Mexico_City',
  'America/Bogota',
  'America/Sao_Paulo',
  'Europe/Madrid',
  'Asia/Manila',
  'Pacific/Auckland',
  'America/Los_Angeles',
  'Asia/Kolkata',
];

/** A seeded queue of call tasks for people inside calling hours at `now` (10:00–18:00 their time). */
const demoTasks = (now: Date): { tasks: CallTask[]; zones: string[] } => {
  const zones = ZONES.filter((zone) => {
    const hour = DateTime.fromJSDate(now, { zone }).hour;
    return hour >= 10 && hour < 18;
  });
  const runId = `registered-no-visit#${DateTime.fromJSDate(now).toFormat('yyyy-MM-dd')}#America/Mexico_City`;
  const tasks = Array.from({ length: 6 }, (_, index): CallTask => {
    const userId = `demo-${index + 1}`;
    const sentAt = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString();
    return {
      taskId: `${runId}#${userId}`,
      queue: 'onboarding',
      priority: 1 + (index % 3),
      userId,
      campaignId: 'registered-no-visit',
      runId,
      touchId: `${runId}#000001|t4#c0001`,
      script: 'Welcome call: help the customer log in for the first time and ask what stopped them.',
      lastTouches: [
        {
          channel: 'push',
          sentAt: sentAt(6),
          copy: 'Your credit line is waiting — Finish setting up your account in two minutes.',
        },
        {
          channel: 'sms',
          sentAt: sentAt(5),
          copy: 'Your account is ready: log in to see your credit offer. [link: app] Reply STOP to opt out.',
        },
        {
          channel: 'email',
          sentAt: sentAt(3),
          copy: 'Your account is one step away — Log in to finish your profile. [link: app]',
        },
      ],
      timeZone: zones[index % Math.max(zones.length, 1)] ?? 'UTC',
      status: 'open',
      attempts: 0,
      createdAt: sentAt(0.01 * (6 - index)),
      expiresAt: new Date(now.getTime() + 2 * 86_400_000).toISOString(),
      ttl: Math.floor(now.getTime() / 1000) + 90 * 86_400,
    };
  });
  return { tasks, zones };
};

const bodyOf = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * The agent console against DynamoDB Local: the page, a demo sign-in (a local token per agent, standing in
 * for the Cognito pool's), and the agent API's real handler behind the same routes, with the claims the JWT
 * authorizer would pass. On a loopback port; `stop` ends the server and DynamoDB Local.
 */
export const startAgentDesk = async (port = 0) => {
  const rekindle = await LocalRekindle.start({ clockStart: new Date() });
  const tokens = new Map<string, { sub: string; groups: string }>();
  const signIn: ConsoleSignIn = { kind: 'local', path: '/local/sign-in', agents: Object.keys(DEMO_AGENTS) };
  const page = agentConsolePage({ signIn });
  const pageHeaders = consoleHeaders(page, signIn);
  const { tasks, zones } = demoTasks(new Date());
  await rekindle.importUsers(
    tasks.map((task, index) => ({
      userId: task.userId,
      contact: { phone: `+52551000000${index + 1}` },
      push: null,
      timeZone: task.timeZone ?? 'UTC',
      locale: 'es-MX',
      consents: { push: false, sms: true, email: true, call: true },
      lifecycle: { registeredAt: new Date(Date.now() - 8 * 86_400_000).toISOString() },
      tags: [],
    })),
  );
  const { putCallTask } = await import('../functions/data/call-tasks');
  for (const task of tasks) await putCallTask(task);

  const server = createServer(async (request, response) => {
    try {
      rekindle.clock.advanceTo(new Date());
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (request.method === 'GET' && url.pathname === '/') {
        response.writeHead(200, pageHeaders);
        response.end(page);
        return;
      }
      if (request.method === 'POST' && url.pathname === '/local/sign-in') {
        const agent = DEMO_AGENTS[String(JSON.parse((await bodyOf(request)) || '{}').agent)];
        if (!agent) {
          response.writeHead(401, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: 'AgentNotAuthenticated', message: 'Unknown demo agent' }));
          return;
        }
        const token = randomBytes(16).toString('hex');
        tokens.set(token, agent);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ token }));
        return;
      }
      const claims = tokens.get(String(request.headers.authorization ?? '').replace(/^Bearer /, ''));
      const body = await bodyOf(request);
      const method = request.method ?? 'GET';
      // What API Gateway's JWT authorizer passes on; without a token, no claims, as a refused request.
      const answer = (await rekindle.invoke(
        'agent-api',
        agentApiRequest(
          method,
          url.pathname,
          claims ? { sub: claims.sub, 'cognito:groups': claims.groups } : undefined,
          body || undefined,
        ),
      )) as { statusCode: number; headers?: Record<string, string>; body?: string };
      response.writeHead(answer.statusCode, answer.headers ?? {});
      response.end(answer.body ?? '');
    } catch (error) {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: error instanceof Error ? error.name : 'Error' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    zones,
    rekindle,
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
      await rekindle.stop();
    },
  };
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const desk = await startAgentDesk(Number(process.env.PORT ?? 0));
  console.log(`Agent console: ${desk.url}`);
  console.log(
    `Signed in as ana or beto (agents) or carla (supervisor); queue "onboarding" holds 6 tasks for people in ${desk.zones.join(', ')}.`,
  );
  console.log('Ctrl+C stops it (and DynamoDB Local).');
  const stop = () => desk.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
