import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { createRekindleApp, STACK_NAME } from '../infra/rekindle-app';
import { campaign as registeredNoVisit } from '../statemachines/campaigns/registered-no-visit';

/** Synthesizes the whole app with cdk-nag's AwsSolutions checks, as `cdk synth` does (bundling skipped). */
const synthesize = (options: Parameters<typeof createRekindleApp>[0] = {}) => {
  const { app } = createRekindleApp({ skipBundling: true, ...options });
  const assembly = app.synth();
  return Template.fromJSON(assembly.getStackByName(STACK_NAME).template);
};

describe('the synthesized template', () => {
  const template = synthesize();

  it('has one state machine per campaign: Standard, JSONPath, logging ALL, X-Ray on', () => {
    const machines = Object.fromEntries(
      Object.entries(template.findResources('AWS::StepFunctions::StateMachine')).filter(
        ([, machine]) => machine.Metadata?.['rekindle:campaign'] !== undefined,
      ),
    );
    expect(
      Object.values(machines)
        .map((machine) => machine.Metadata['rekindle:campaign'])
        .sort(),
    ).toEqual([
      'application-incomplete',
      'credited-no-drawdown',
      'credited-no-drawdown-inner-ring',
      'registered-no-visit',
      'settled-no-reborrow',
    ]);
    for (const machine of Object.values(machines)) {
      expect(machine.Properties).toMatchObject({
        StateMachineType: 'STANDARD',
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
        TracingConfiguration: { Enabled: true },
      });
      const definition = JSON.stringify(machine.Properties.DefinitionString);
      expect(definition).toContain('\\"QueryLanguage\\":\\"JSONPath\\"');
      expect(definition).not.toContain('JSONata');
      for (const state of [
        'PrepareRun',
        'SelectAudience',
        'WaitForTouch2',
        'SendTouch4',
        'CloseRun',
        'Summarise',
      ]) {
        expect(definition).toContain(`\\"${state}\\"`);
      }
      expect(definition).toContain('\\"Mode\\":\\"DISTRIBUTED\\",\\"ExecutionType\\":\\"EXPRESS\\"');
    }
  });

  it('starts each campaign daily in each of its time zones through the live alias of a published version', () => {
    expect(Object.keys(template.findResources('AWS::StepFunctions::StateMachineVersion'))).toHaveLength(5);
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(5);
    for (const schedule of schedules) {
      expect(schedule.Properties).toMatchObject({
        ScheduleExpression: 'cron(30 10 * * ? *)',
        ScheduleExpressionTimezone: 'America/Mexico_City',
        Target: {
          Input: '{"timeZone":"America/Mexico_City"}',
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: expect.anything() },
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/LiveAlias/), 'Arn'] },
        },
      });
    }
  });

  it('keeps users, runs, enrollments and touches in encrypted tables with point-in-time recovery', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    const names = Object.keys(tables).map((logicalId) =>
      logicalId.replace(/^Tables/, '').replace(/[0-9A-F]{8}$/, ''),
    );
    expect(names).toEqual(
      expect.arrayContaining([
        'Users',
        'Runs',
        'Enrollments',
        'Touches',
        'Contacts',
        'ConsentChanges',
        'CallTasks',
      ]),
    );
    for (const table of Object.values(tables)) {
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    }
  });

  it('runs every function on Node 22 or newer, arm64, traced', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThanOrEqual(8);
    for (const fn of functions) {
      expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('sends nothing for real without provider configuration: the send step uses the sandbox outbox', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CHANNEL_SENDER: 'sandbox' }) },
    });
    const statements = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(statements).not.toContain('mobiletargeting:SendMessages');
    expect(statements).not.toContain('sms-voice:SendTextMessage');
  });

  it('grants real providers only for the configured application and origination identity', () => {
    const origination = 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-abc';
    const withProviders = synthesize({
      channels: {
        mode: 'aws',
        pinpointApplicationId: 'app-123',
        smsOriginationIdentityArn: origination,
        emailFromAddress: 'offers@lender.example',
      },
    });
    const statement = (pattern: Record<string, unknown>) => ({
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(pattern)]) },
    });
    withProviders.hasResourceProperties(
      'AWS::IAM::Policy',
      statement({ Action: 'sms-voice:SendTextMessage', Resource: origination }),
    );
    withProviders.hasResourceProperties(
      'AWS::IAM::Policy',
      statement({
        Action: 'mobiletargeting:SendMessages',
        Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('apps/app-123/messages')])] },
      }),
    );
    withProviders.hasResourceProperties(
      'AWS::IAM::Policy',
      statement({
        Action: 'ses:SendEmail',
        Resource: Match.arrayWith([
          { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('identity/lender.example')])] },
          {
            'Fn::Join': [
              '',
              Match.arrayWith([':configuration-set/', { Ref: Match.stringLikeRegexp('^EmailEvents') }]),
            ],
          },
        ]),
      }),
    );
    withProviders.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: [
          'send',
          'delivery',
          'deliveryDelay',
          'bounce',
          'complaint',
          'open',
          'click',
          'reject',
        ],
        EventBridgeDestination: Match.anyValue(),
      }),
    });
    expect(Object.keys(withProviders.findResources('AWS::DynamoDB::Table')).join()).not.toContain(
      'SandboxOutbox',
    );
  });
});

describe('the brakes', () => {
  it('hold-touch may only read and write the controls; the ops CLI finds its tables in the stack outputs', () => {
    const template = synthesize();
    const holdTouch = Object.entries(template.findResources('AWS::Lambda::Function')).find(
      ([, fn]) => fn.Metadata?.['rekindle:handler'] === 'hold-touch',
    );
    expect(holdTouch?.[1].Properties.Environment.Variables).toMatchObject({ PAUSE_LIMIT_HOURS: '24' });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('HoldTouchRole'),
    );
    const actions = policies.flatMap((policy) =>
      policy.Properties.PolicyDocument.Statement.flatMap((statement: { Action: string | string[] }) =>
        [statement.Action].flat(),
      ),
    );
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining(['ControlsTable', 'RunsTable', 'Campaigns']),
    );
  });

  it.each([
    [0, 'pauseLimitHours must be a positive number of hours, not "0"'],
    ['soon', 'pauseLimitHours must be a positive number of hours, not "soon"'],
    [72, 'pauseLimitHours 72: campaign '],
    // Held that long, the touches' pacing passes (up to 109 each in the shipped windows) no longer fit.
    [
      40,
      "has 4 touches of up to 109 passes each; held that long at each, its execution would outgrow Step Functions' 25,000 history events (at most 31 hours)",
    ],
  ])('fail synthesis for a pause limit of %j with InvalidPauseLimit', (limit, message) => {
    expect(() => synthesize({ pauseLimitHours: limit as number })).toThrow(
      expect.objectContaining({ name: 'InvalidPauseLimit', message: expect.stringContaining(message) }),
    );
  });

  it('fail synthesis for a campaign whose touches could take more pacing passes than one execution holds', () => {
    // Seven 12-hour windows a touch: a pass lasts a worker's 3.5 minutes, so up to 1,450 passes a touch.
    const endless = {
      ...registeredNoVisit,
      sendWindows: [{ start: '09:00', end: '21:00' }],
      carryOverWindows: 7,
    };
    expect(() => createRekindleApp({ skipBundling: true, campaigns: [endless] })).toThrow(
      expect.objectContaining({
        name: 'CampaignOutgrowsHistory',
        message:
          "Campaign registered-no-visit: 4 touches of up to 1450 passes each (7 send windows of up to 720 minutes) would outgrow Step Functions' 25,000 history events; shorten its send windows or lower carryOverWindows",
      }),
    );
    // The shipped windows, taken by a touch up to 7 times (253 passes), leave room for a pause of an hour.
    const patient = { ...registeredNoVisit, carryOverWindows: 7 };
    expect(() =>
      createRekindleApp({ skipBundling: true, campaigns: [patient], pauseLimitHours: 24 }),
    ).toThrow(
      expect.objectContaining({
        name: 'InvalidPauseLimit',
        message: expect.stringContaining('(at most 1 hour)'),
      }),
    );
    expect(() =>
      createRekindleApp({ skipBundling: true, campaigns: [patient], pauseLimitHours: 1 }),
    ).not.toThrow();
  });
});

describe('provider rates', () => {
  const sendTouchEnvironment = (template: Template) =>
    Object.values(template.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Metadata?.['rekindle:handler'] === 'send-touch',
    )?.Properties.Environment.Variables;

  it('default to 1,000 push, 20 SMS and 14 emails a second, and are changed without code', () => {
    expect(JSON.parse(sendTouchEnvironment(synthesize()).SEND_RATES)).toEqual({
      push: 1000,
      sms: 20,
      email: 14,
    });
    expect(JSON.parse(sendTouchEnvironment(synthesize({ sendRates: { sms: 100 } })).SEND_RATES)).toEqual({
      push: 1000,
      sms: 100,
      email: 14,
    });
  });

  /** Each `SendTouchk` map's concurrency in a campaign's synthesized definition (ARNs stand in as text). */
  const touchWorkers = (template: Template, campaignId: string) => {
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).find(
      (candidate) => candidate.Metadata?.['rekindle:campaign'] === campaignId,
    );
    const parts = machine?.Properties.DefinitionString['Fn::Join'][1] as unknown[];
    const definition = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(''));
    const workers: Record<string, number> = {};
    const visit = (node: unknown) => {
      if (typeof node !== 'object' || node === null) return;
      for (const [name, value] of Object.entries(node)) {
        if (/^SendTouch\d$/.test(name) && typeof value === 'object' && value !== null)
          workers[name] = (value as { MaxConcurrency: number }).MaxConcurrency;
        visit(value);
      }
    };
    visit(definition);
    return workers;
  };

  it("give each touch's map as many workers as its own channel's rate needs, not the fastest provider's", () => {
    // registered-no-visit: push → SMS → email → call. 100 sends a second per worker, at least 2, at most 40;
    // a call task (no provider) gets the fastest rate's count.
    expect(touchWorkers(synthesize(), registeredNoVisit.id)).toEqual({
      SendTouch1: 10,
      SendTouch2: 2,
      SendTouch3: 2,
      SendTouch4: 10,
    });
    expect(touchWorkers(synthesize({ sendRates: { sms: 450, push: 10_000 } }), registeredNoVisit.id)).toEqual(
      { SendTouch1: 40, SendTouch2: 5, SendTouch3: 2, SendTouch4: 40 },
    );
  });

  it.each([[{ sms: 0 }], [{ fax: 3 }]])('fail synthesis for %j with InvalidGuardrails', (rates) => {
    expect(() => synthesize({ sendRates: rates as never })).toThrow(
      expect.objectContaining({ name: 'InvalidGuardrails', message: expect.stringMatching(/^sendRates\./) }),
    );
  });
});

describe('cdk-nag', () => {
  it('passes AwsSolutions with no unacknowledged error or warning (synthesis would throw otherwise)', () => {
    expect(() => synthesize()).not.toThrow();
  });

  it('fails synthesis on an unacknowledged finding', () => {
    const { app, stack } = createRekindleApp({ skipBundling: true });
    // A table without point-in-time recovery violates AwsSolutions-DDB3.
    new Table(stack as Stack, 'Careless', { partitionKey: { name: 'id', type: AttributeType.STRING } });
    expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
  });
});

describe('campaign definitions', () => {
  it('fail synthesis with the campaign and the field named', () => {
    const broken = { ...registeredNoVisit, sendWindows: [{ start: '21:00', end: '19:00' }] };
    expect(() => createRekindleApp({ skipBundling: true, campaigns: [broken] })).toThrow(
      'Campaign registered-no-visit is invalid: sendWindows.0: start must be before end',
    );
  });

  it.each([
    [{ holdoutPercent: 80 }, 'holdoutPercent: Too big'],
    [{ steps: [] }, 'steps: Too small'],
    [{ timeZones: ['Mexico/Nowhere'] }, 'timeZones.0: must be an IANA time zone'],
    [{ audience: { dormancyModel: 'asleep' } }, 'audience.dormancyModel: '],
    [
      { steps: [registeredNoVisit.steps[0], registeredNoVisit.steps[2]] },
      'steps.1: two channel steps need a wait between them',
    ],
    [
      { steps: [registeredNoVisit.steps[0], registeredNoVisit.steps[1]] },
      'steps: must end with a channel step',
    ],
    [
      { steps: [{ type: 'channel', channel: 'sms', template: { en: { body: 'Get {offer}' } } }] },
      'steps.0.template: uses {offer} but the step has no offer',
    ],
    [
      { steps: [{ type: 'channel', channel: 'sms', template: { es: { body: 'Hola' } } }] },
      'steps.0.template: must have an "en" entry',
    ],
  ])('reject %j naming the campaign and field', (change, message) => {
    expect(() =>
      createRekindleApp({ skipBundling: true, campaigns: [{ ...registeredNoVisit, ...change } as never] }),
    ).toThrow(`Campaign registered-no-visit is invalid: ${message}`);
  });
});
