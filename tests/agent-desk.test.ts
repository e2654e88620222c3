import { describe, expect, it } from 'vitest';
import type { CallOutcome } from '../functions/agents/dispositions';
import type { CallTask } from '../functions/channels/call-task-queue';
import { agentApiRequest } from '../local/inbound-feed';
import { aCallTask } from './support/call-tasks';
import { CAMPAIGN, RUN_DATE, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();

// 2026-11-23 10:00 in Mexico City: inside calling hours (09:00–20:00 there).
const MORNING = new Date('2026-11-23T16:00:00.000Z');
const minutesAfter = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000);

type Agent = { sub?: string; groups?: string } | undefined;
const ANA: Agent = { sub: 'agent-ana', groups: '[agents]' };
const BETO: Agent = { sub: 'agent-beto', groups: '[agents]' };
const SUPERVISOR: Agent = { sub: 'sup-carla', groups: '[agents supervisors]' };

/** A request as the HTTP API hands it to the function after its Cognito JWT authorizer. */
const request = (method: 'GET' | 'POST', path: string, agent: Agent, body?: unknown, rawBody?: string) =>
  agentApiRequest(
    method,
    path,
    agent ? { sub: agent.sub, 'cognito:groups': agent.groups } : undefined,
    rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  );

/** Calls the agent API at `at` (the clock set there); the status and the parsed body. */
const call = async (at: Date, ...args: Parameters<typeof request>) => {
  local.rekindle.clock.reset(at);
  const response = (await local.rekindle.invoke('agent-api', request(...args))) as {
    statusCode: number;
    body?: string;
  };
  return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
};

const queueTasks = async (tasks: CallTask[]) => {
  await local.rekindle.importUsers(
    tasks.map((one) => aUser(one.userId, { contact: { phone: '+525512345678' } })),
  );
  const { putCallTask } = await import('../functions/data/call-tasks');
  for (const one of tasks) await putCallTask(one);
};
const stored = async (taskId: string) =>
  (await local.rekindle.scanTable('CallTasks')).find((item) => item.taskId === taskId) as
    | CallTask
    | undefined;

describe('the agent API', () => {
  it('gives each open task to exactly one agent when eight ask at once, by priority then age', async () => {
    // Prepare: five tasks, one of them priority 1.
    await queueTasks([
      aCallTask('task-u1'),
      aCallTask('task-u2', { createdAt: '2026-11-22T16:00:00.000Z' }),
      aCallTask('task-u3', { priority: 1 }),
      aCallTask('task-u4'),
      aCallTask('task-u5'),
    ]);
    const agents = Array.from({ length: 8 }, (_, index) => ({ sub: `agent-${index}`, groups: '[agents]' }));

    // Act: one after another for the order, then eight at once on a fresh queue state.
    const first = await call(MORNING, 'POST', '/queues/onboarding/next', ANA);
    const second = await call(MORNING, 'POST', '/queues/onboarding/next', BETO);
    local.rekindle.clock.reset(MORNING);
    const rush = await Promise.all(
      agents.map(async (agent) => {
        const response = (await local.rekindle.invoke(
          'agent-api',
          request('POST', '/queues/onboarding/next', agent),
        )) as { statusCode: number; body?: string };
        return response.statusCode === 200
          ? (JSON.parse(response.body ?? '{}').taskId as string)
          : response.statusCode;
      }),
    );

    // Assess: priority 1 first, then the oldest; the rest went to three of the eight, the others got 204.
    expect(first.body).toMatchObject({ taskId: 'task-u3', person: { phone: '+525512345678' } });
    expect(second.body.taskId).toBe('task-u2');
    const taken = rush.filter((result) => typeof result === 'string');
    expect(taken.sort()).toEqual(['task-u1', 'task-u4', 'task-u5']);
    expect(rush.filter((result) => result === 204)).toHaveLength(5);
    const leases = (await local.rekindle.scanTable('CallTasks')).map((item) => item.leasedBy);
    expect(new Set(leases).size).toBe(5);
  });

  it('returns a task whose lease ran out to the queue, and refuses the late outcome of its first agent', async () => {
    // Prepare
    await queueTasks([aCallTask('task-u1')]);
    const taken = await call(MORNING, 'POST', '/queues/onboarding/next', ANA);
    const before = await stored('task-u1');

    // Act: 11 minutes later (leases last 10) Beto takes it; Ana's outcome comes after.
    const retaken = await call(minutesAfter(MORNING, 11), 'POST', '/queues/onboarding/next', BETO);
    const late = await call(minutesAfter(MORNING, 12), 'POST', '/tasks/task-u1/outcome', ANA, {
      disposition: 'wrong-number',
    });

    // Assess
    expect(taken.body.taskId).toBe('task-u1');
    expect(before?.leasedBy).toBe('agent-ana');
    expect(retaken.body).toMatchObject({ taskId: 'task-u1' });
    expect(late).toMatchObject({
      status: 409,
      body: { error: 'LeaseNotHeld', message: expect.stringContaining('held-by-another') },
    });
    expect(await stored('task-u1')).toMatchObject({ status: 'open', leasedBy: 'agent-beto', attempts: 0 });
  });

  it('offers a task only inside calling hours in the person’s own zone, and never after its call window', async () => {
    // Prepare: at 16:00 UTC it is 10:00 in Mexico City and 01:00 in Tokyo; the third task's window closed.
    await queueTasks([
      aCallTask('task-tokyo', { timeZone: 'Asia/Tokyo', priority: 1 }),
      aCallTask('task-closed', { priority: 2, expiresAt: '2026-11-23T15:00:00.000Z' }),
      aCallTask('task-mexico', { priority: 3 }),
    ]);

    // Act
    const now = await call(MORNING, 'POST', '/queues/onboarding/next', ANA);
    const night = await call(new Date('2026-11-24T03:00:00.000Z'), 'POST', '/queues/onboarding/next', BETO);
    const overview = await call(
      new Date('2026-11-24T03:00:00.000Z'),
      'GET',
      '/queues/onboarding',
      SUPERVISOR,
    );

    // Assess: Mexico at 10:00 yes; at 21:00 Mexico (12:00 Tokyo) only Tokyo.
    expect(now.body.taskId).toBe('task-mexico');
    expect(night.body.taskId).toBe('task-tokyo');
    expect(overview.body.counts).toMatchObject({ open: 3, leased: 1, callableNow: 0 });
  });

  it('carries out each disposition: requeue, attempts exhausted, callback, do not call, closed with its reason', async () => {
    // Prepare
    await queueTasks(['u1', 'u2', 'u3', 'u4', 'u5'].map((userId) => aCallTask(`task-${userId}`)));
    const takeAndRecord = async (at: Date, agent: Agent, outcome: unknown) => {
      const taken = await call(at, 'POST', '/queues/onboarding/next', agent);
      return {
        taskId: taken.body?.taskId as string,
        answer: await call(at, 'POST', `/tasks/${taken.body?.taskId}/outcome`, agent, outcome),
      };
    };

    // Act / Assess: no answer puts it back for two hours; busy for thirty minutes.
    const first = await takeAndRecord(MORNING, ANA, { disposition: 'no-answer' });
    expect(first.answer.body).toEqual({
      taskId: 'task-u1',
      result: 'requeued',
      availableAt: minutesAfter(MORNING, 120).toISOString(),
    });
    const second = await takeAndRecord(MORNING, ANA, { disposition: 'busy' });
    expect(second.answer.body.availableAt).toBe(minutesAfter(MORNING, 30).toISOString());
    // Callback within the window: back for that time. Do not call: consent off and closed.
    const callbackAt = '2026-11-24T17:30:00.000Z';
    const third = await takeAndRecord(MORNING, ANA, { disposition: 'callback-requested', callbackAt });
    expect(third.answer.body).toEqual({ taskId: 'task-u3', result: 'requeued', availableAt: callbackAt });
    const fourth = await takeAndRecord(MORNING, ANA, { disposition: 'do-not-call', note: 'asked firmly' });
    expect(fourth.answer.body).toEqual({ taskId: 'task-u4', result: 'closed', closedAs: 'do-not-call' });
    const users = await local.rekindle.scanTable('Users');
    expect(users.find((user) => user.userId === 'u4')).toMatchObject({
      consents: { call: false },
      consentSources: { call: 'do-not-call' },
    });
    const fifth = await takeAndRecord(MORNING, BETO, {
      disposition: 'reached-not-interested',
      reason: 'rate-too-high',
    });
    expect(fifth.answer.body.closedAs).toBe('reached-not-interested');
    expect((await stored('task-u5'))?.calls).toEqual([
      {
        at: MORNING.toISOString(),
        by: 'agent-beto',
        disposition: 'reached-not-interested',
        reason: 'rate-too-high',
      },
    ]);
    // The busy one comes back after thirty minutes; two more unanswered calls exhaust it.
    const again = await takeAndRecord(minutesAfter(MORNING, 31), ANA, { disposition: 'no-answer' });
    expect(again.taskId).toBe('task-u2');
    const last = await takeAndRecord(minutesAfter(MORNING, 152), ANA, { disposition: 'no-answer' });
    expect(last.taskId).toBe('task-u1');
    const final = await takeAndRecord(minutesAfter(MORNING, 153), ANA, { disposition: 'no-answer' });
    expect(final.taskId).toBe('task-u2');
    expect(final.answer.body).toEqual({
      taskId: 'task-u2',
      result: 'closed',
      closedAs: 'attempts-exhausted',
    });
    expect(await stored('task-u2')).toMatchObject({ status: 'closed', attempts: 3 });
    expect((await stored('task-u2'))?.calls?.map((one) => one.disposition)).toEqual([
      'busy',
      'no-answer',
      'no-answer',
    ]);
    // A callback after the window closes the task instead.
    await queueTasks([aCallTask('task-u6')]);
    const late = await takeAndRecord(minutesAfter(MORNING, 154), ANA, {
      disposition: 'callback-requested',
      callbackAt: '2026-11-30T17:00:00.000Z',
    });
    expect(late.answer.body).toMatchObject({ taskId: 'task-u6', closedAs: 'callback-after-window' });
  });

  it('keeps a do-not-call even when the run expired the task during the call, and lets a run-out lease record', async () => {
    // Prepare: Ana takes two tasks; the run's close expires the first while she is on the phone.
    await queueTasks([aCallTask('task-u1', { priority: 1 }), aCallTask('task-u2')]);
    await call(MORNING, 'POST', '/queues/onboarding/next', ANA);
    await call(MORNING, 'POST', '/queues/onboarding/next', ANA);
    const { expireCallTask } = await import('../functions/data/call-tasks');
    await expireCallTask('task-u1', minutesAfter(MORNING, 5).toISOString());

    // Act: her outcomes come in after her 10-minute leases ran out.
    const late = minutesAfter(MORNING, 14);
    const dnc = await call(late, 'POST', '/tasks/task-u1/outcome', ANA, { disposition: 'do-not-call' });
    const interested = await call(late, 'POST', '/tasks/task-u2/outcome', ANA, {
      disposition: 'reached-interested',
    });

    // Assess: the task was closed already, but the person is never called again; nobody took the other.
    expect(dnc).toMatchObject({ status: 409, body: { error: 'TaskClosed' } });
    const users = await local.rekindle.scanTable('Users');
    expect(users.find((user) => user.userId === 'u1')).toMatchObject({ consents: { call: false } });
    expect(interested.body).toEqual({ taskId: 'task-u2', result: 'closed', closedAs: 'reached-interested' });
  });

  it('offers nothing of a paused campaign, and its tasks again after the resume', async () => {
    // Prepare
    await queueTasks([aCallTask('task-u1')]);
    const { operate } = await import('../functions/operations/operator');
    await operate(
      { action: 'pause', campaignId: CAMPAIGN },
      { at: MORNING, by: 'ops', campaignIds: [CAMPAIGN] },
    );

    // Act
    const paused = await call(MORNING, 'POST', '/queues/onboarding/next', ANA);
    await operate(
      { action: 'resume', campaignId: CAMPAIGN },
      { at: MORNING, by: 'ops', campaignIds: [CAMPAIGN] },
    );
    const resumed = await call(MORNING, 'POST', '/queues/onboarding/next', ANA);

    // Assess
    expect(paused.status).toBe(204);
    expect(resumed.body.taskId).toBe('task-u1');
  });

  it('compares a callback time with an offset as a moment', async () => {
    // Prepare: the window ends 2026-11-25T17:00Z; 12:00-06:00 is 18:00Z, after it.
    await queueTasks([aCallTask('task-u1')]);
    await call(MORNING, 'POST', '/queues/onboarding/next', ANA);

    // Act
    const answer = await call(MORNING, 'POST', '/tasks/task-u1/outcome', ANA, {
      disposition: 'callback-requested',
      callbackAt: '2026-11-25T12:00:00-06:00',
    });

    // Assess
    expect(answer.body).toMatchObject({ closedAs: 'callback-after-window' });
  });

  it('closes a task whose person withdrew call consent since, instead of offering it', async () => {
    // Prepare
    await queueTasks([aCallTask('task-u1', { priority: 1 }), aCallTask('task-u2')]);
    await local.rekindle.importUsers([
      aUser('u1', { consents: { push: true, sms: true, email: true, call: false } }),
    ]);

    // Act
    const taken = await call(MORNING, 'POST', '/queues/onboarding/next', ANA);

    // Assess
    expect(taken.body.taskId).toBe('task-u2');
    expect(await stored('task-u1')).toMatchObject({ status: 'closed', closedAs: 'consent-withdrawn' });
  });

  it('shows the phone only to the agent holding the task, and a run’s task with the copy of its earlier touches', async () => {
    // Prepare: a real run's call task.
    await local.rekindle.importUsers([aUser('u1')]);
    await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE });
    const [created] = (await local.rekindle.scanTable('CallTasks')) as unknown as CallTask[];
    const at = new Date(Date.parse(created?.createdAt ?? '') + 60_000);
    // The run expired it at its close; reopen it as it stood during the call window.
    const { documentClient } = await import('../functions/clients/dynamodb');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    await documentClient.send(
      new UpdateCommand({
        TableName: String(process.env.CALL_TASKS_TABLE),
        Key: { taskId: created?.taskId },
        UpdateExpression: 'SET #status = :open, openQueue = #queue',
        ExpressionAttributeNames: { '#status': 'status', '#queue': 'queue' },
        ExpressionAttributeValues: { ':open': 'open' },
      }),
    );

    // Act
    const taken = await call(at, 'POST', `/queues/${created?.queue}/next`, ANA);
    const seenByOther = await call(at, 'GET', `/tasks/${encodeURIComponent(created?.taskId ?? '')}`, BETO);

    // Assess
    expect(taken.body).toMatchObject({
      taskId: created?.taskId,
      person: { phone: '+525512345678', timeZone: 'America/Mexico_City' },
    });
    expect(taken.body.lastTouches.map((touch: { channel: string }) => touch.channel)).toEqual([
      'push',
      'sms',
      'email',
    ]);
    expect(taken.body.lastTouches[1].copy).toMatch(/^Tu cuenta está lista: .* \[link: app\] Responde STOP/);
    expect(seenByOther.body).toMatchObject({
      taskId: created?.taskId,
      person: { phone: null },
      leaseUntil: null,
    });
  });

  it('lets the call window close on tasks still open, and counts how every task ended in the run summary', async () => {
    // Prepare: two users get registered-no-visit's call task at 11:00 local on 2026-11-28; an agent reaches
    // the first an hour later, the second does not answer; nobody calls again before the window closes.
    await local.rekindle.importUsers([aUser('u1'), aUser('u2')]);
    const agentCall = (at: string, outcome: CallOutcome) => ({
      type: 'agent-call' as const,
      occurredAt: at,
      queue: 'onboarding',
      agent: 'agent-ana',
      outcome,
    });
    local.rekindle.script([
      agentCall('2026-11-28T18:00:00.000Z', {
        disposition: 'reached-not-interested',
        reason: 'rate-too-high',
      }),
      agentCall('2026-11-28T18:01:00.000Z', { disposition: 'no-answer' }),
    ]);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE });
    const late = await call(new Date('2026-12-02T17:00:00.000Z'), 'POST', '/queues/onboarding/next', ANA);

    // Assess
    const tasks = (await local.rekindle.scanTable('CallTasks')) as unknown as CallTask[];
    expect(tasks.map((one) => [one.createdAt.slice(0, 16), one.status, one.closedAs ?? null]).sort()).toEqual(
      [
        ['2026-11-28T17:00', 'closed', 'reached-not-interested'],
        ['2026-11-28T17:00', 'expired', null],
      ],
    );
    expect(result.output?.calls).toEqual({
      tasks: 2,
      attempted: 2,
      reached: 1,
      endings: { 'reached-not-interested': 1, expired: 1 },
      notInterested: { 'rate-too-high': 1 },
    });
    expect(late.status).toBe(204);
  });

  it('refuses callers without a token or outside the groups', async () => {
    await queueTasks([aCallTask('task-u1')]);
    const outsider = { sub: 'someone', groups: '[marketing]' };
    expect((await call(MORNING, 'POST', '/queues/onboarding/next', undefined)).status).toBe(401);
    expect((await call(MORNING, 'POST', '/queues/onboarding/next', { groups: '[agents]' })).status).toBe(401);
    expect((await call(MORNING, 'POST', '/queues/onboarding/next', outsider)).body).toMatchObject({
      error: 'AgentNotAllowed',
    });
    expect((await call(MORNING, 'GET', '/queues/onboarding', ANA)).status).toBe(403);
    expect((await call(MORNING, 'GET', '/queues/onboarding', SUPERVISOR)).status).toBe(200);
    expect(await stored('task-u1')).not.toHaveProperty('leasedBy');
  });

  it.each([
    [
      'a queue name with a slash-free odd character',
      'POST',
      '/queues/On%20boarding/next',
      undefined,
      400,
      'InvalidAgentRequest',
    ],
    ['a body that is not JSON', 'POST', '/tasks/task-u1/outcome', '{nope', 400, 'InvalidAgentRequest'],
    [
      'an unknown disposition',
      'POST',
      '/tasks/task-u1/outcome',
      { disposition: 'hung-up' },
      400,
      'InvalidAgentRequest',
    ],
    ['no disposition', 'POST', '/tasks/task-u1/outcome', { note: 'hi' }, 400, 'InvalidAgentRequest'],
    [
      'not interested without a reason',
      'POST',
      '/tasks/task-u1/outcome',
      { disposition: 'reached-not-interested' },
      400,
      'InvalidAgentRequest',
    ],
    [
      'an unknown reason',
      'POST',
      '/tasks/task-u1/outcome',
      { disposition: 'reached-not-interested', reason: 'meh' },
      400,
      'InvalidAgentRequest',
    ],
    [
      'a reason on another disposition',
      'POST',
      '/tasks/task-u1/outcome',
      { disposition: 'busy', reason: 'rate-too-high' },
      400,
      'InvalidAgentRequest',
    ],
    [
      'a callback without its time',
      'POST',
      '/tasks/task-u1/outcome',
      { disposition: 'callback-requested' },
      400,
      'InvalidAgentRequest',
    ],
    [
      'a callback time that is not a timestamp',
      'POST',
      '/tasks/task-u1/outcome',
      { disposition: 'callback-requested', callbackAt: 'tomorrow' },
      400,
      'InvalidAgentRequest',
    ],
    [
      'a callback time in the past',
      'POST',
      '/tasks/task-u1/outcome',
      { disposition: 'callback-requested', callbackAt: '2026-11-23T15:00:00Z' },
      400,
      'InvalidAgentRequest',
    ],
    [
      'a callback time on another disposition',
      'POST',
      '/tasks/task-u1/outcome',
      { disposition: 'no-answer', callbackAt: '2026-11-24T17:00:00Z' },
      400,
      'InvalidAgentRequest',
    ],
    [
      'a note too long',
      'POST',
      '/tasks/task-u1/outcome',
      { disposition: 'busy', note: 'x'.repeat(1001) },
      400,
      'InvalidAgentRequest',
    ],
    [
      'an unknown field',
      'POST',
      '/tasks/task-u1/outcome',
      { disposition: 'busy', phone: '+52' },
      400,
      'InvalidAgentRequest',
    ],
    [
      'a disposition of the wrong type',
      'POST',
      '/tasks/task-u1/outcome',
      { disposition: 7 },
      400,
      'InvalidAgentRequest',
    ],
    [
      'an array body',
      'POST',
      '/tasks/task-u1/outcome',
      [{ disposition: 'busy' }],
      400,
      'InvalidAgentRequest',
    ],
    ['a null body', 'POST', '/tasks/task-u1/outcome', null, 400, 'InvalidAgentRequest'],
    [
      'an outcome on an unknown task',
      'POST',
      '/tasks/task-nobody/outcome',
      { disposition: 'busy' },
      404,
      'TaskNotFound',
    ],
    ['the detail of an unknown task', 'GET', '/tasks/task-nobody', undefined, 404, 'TaskNotFound'],
    [
      'an outcome on a task never taken',
      'POST',
      '/tasks/task-u2/outcome',
      { disposition: 'busy' },
      409,
      'LeaseNotHeld',
    ],
    [
      'an outcome on a task another agent holds',
      'POST',
      '/tasks/task-beto/outcome',
      { disposition: 'busy' },
      409,
      'LeaseNotHeld',
    ],
    [
      'an outcome on a closed task',
      'POST',
      '/tasks/task-done/outcome',
      { disposition: 'busy' },
      409,
      'TaskClosed',
    ],
    [
      'an outcome on an expired task',
      'POST',
      '/tasks/task-expired/outcome',
      { disposition: 'busy' },
      409,
      'TaskClosed',
    ],
    [
      'a queue overview of a bad queue name',
      'GET',
      '/queues/ON_BOARD',
      undefined,
      400,
      'InvalidAgentRequest',
    ],
  ] as const)(
    'refuses %s with a named error and writes nothing',
    async (_case, method, path, body, status, error) => {
      // Prepare: Ana holds task-u1, Beto holds task-beto; task-u2 open, task-done closed, task-expired expired.
      const held = { leasedBy: 'agent-ana', leaseUntil: minutesAfter(MORNING, 5).toISOString() };
      await queueTasks([
        aCallTask('task-u1', held),
        aCallTask('task-u2'),
        aCallTask('task-beto', {
          leasedBy: 'agent-beto',
          leaseUntil: minutesAfter(MORNING, 5).toISOString(),
        }),
        aCallTask('task-done', { ...held, status: 'closed' }),
        aCallTask('task-expired', { ...held, status: 'expired' }),
      ]);
      const before = await local.rekindle.scanTable('CallTasks');
      const usersBefore = await local.rekindle.scanTable('Users');
      const raw = typeof body === 'string' ? body : undefined;

      // Act
      const answer = await call(
        MORNING,
        method,
        path,
        path.startsWith('/queues/ON') ? SUPERVISOR : ANA,
        raw === undefined ? body : undefined,
        raw,
      );

      // Assess
      expect(answer).toMatchObject({ status, body: { error } });
      expect(await local.rekindle.scanTable('CallTasks')).toEqual(before);
      expect(await local.rekindle.scanTable('Users')).toEqual(usersBefore);
    },
  );
});
