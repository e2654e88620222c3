import { randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { BadLine } from '../functions/imports/import-lines';
import type { ImportSummary } from '../functions/imports/import-summary';
import type { User } from '../functions/users/user';
import { USER_IMPORT_STATE_MACHINE } from '../infra/imports';
import { useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();

// The handlers' own S3 client and bucket, configured by the local runtime (hence imported late).
const s3 = async () => {
  const { s3Client } = await import('../functions/clients/s3');
  const { importBucketName } = await import('../functions/imports/import-files');
  return { client: s3Client, bucket: importBucketName() };
};

const upload = async (text: string, prefix = 'incoming/') => {
  const { client, bucket } = await s3();
  const key = `${prefix}${randomUUID()}.jsonl`;
  await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentLength: Buffer.byteLength(text) }),
  );
  return key;
};

const runImport = (input: Record<string, unknown>) =>
  local.rekindle.runStateMachine(USER_IMPORT_STATE_MACHINE, input);

const importFile = async (input: Record<string, unknown>): Promise<ImportSummary> => {
  const result = await runImport(input);
  expect(result.error).toBeUndefined();
  return result.output as ImportSummary;
};

const readReport = async (summary: ImportSummary): Promise<BadLine[]> => {
  const { client } = await s3();
  const object = await client.send(
    new GetObjectCommand({ Bucket: summary.report.bucket, Key: summary.report.key }),
  );
  const text = (await object.Body?.transformToString()) ?? '';
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
};

const line = (user: User) => JSON.stringify(user);
const users = async () =>
  (await local.rekindle.scanTable('Users')).map((user) => user.userId as string).sort();

/** A file of 40 lines: users, blank lines, and bad lines spread so several chunks hold some. */
const mixedFile = () => {
  const lines = Array.from({ length: 40 }, (_, index) => line(aUser(`u-${index + 1}`)));
  lines[3] = '';
  lines[9] = line(aUser('u-10', { contact: { phone: '5512345678' } }));
  lines[17] = '{"userId": "u-18", "contact": ';
  lines[18] = '   ';
  lines[25] = line({ ...aUser('u-26'), timeZone: 'Mexico/Nowhere' });
  lines[38] = line({ ...aUser('u-39'), segment: 'new' } as User);
  return `${lines.join('\n')}\n`;
};
const mixedFileBadLines: BadLine[] = [
  {
    line: 10,
    field: 'contact.phone',
    problem: 'must be an E.164 phone number such as +5215512345678',
    userId: 'u-10',
  },
  { line: 18, problem: 'not valid JSON' },
  { line: 26, field: 'timeZone', problem: 'must be an IANA time zone such as Europe/Madrid', userId: 'u-26' },
  { line: 39, field: 'segment', problem: 'unknown field', userId: 'u-39' },
];

describe('the user import', () => {
  it('imports the good lines of a file with bad lines, and reports each bad line with its line number and field', async () => {
    // Prepare: ~400-byte lines in 1 KiB chunks, so the file is split into a dozen chunks.
    const key = await upload(mixedFile());

    // Act
    const summary = await importFile({ key, chunkBytes: 1024 });

    // Assess
    expect(summary).toMatchObject({
      key,
      validateOnly: false,
      linesRead: 40,
      goodLines: 34,
      imported: { created: 34, updated: 0, unchanged: 0 },
      badLines: 4,
      firstBadLines: mixedFileBadLines,
    });
    expect(await readReport(summary)).toEqual(mixedFileBadLines);
    expect(await users()).toHaveLength(34);
    expect(await users()).not.toContain('u-10');
    expect(await users()).not.toContain('u-26');
  });

  it('reports a userId repeated in a file on its later line, and imports the first', async () => {
    // Prepare
    const key = await upload(
      [aUser('u-1'), aUser('u-2'), aUser('u-1', { locale: 'en' })].map(line).join('\n'),
    );

    // Act
    const summary = await importFile({ key });

    // Assess
    expect(summary.firstBadLines).toEqual([
      { line: 3, field: 'userId', problem: 'u-1 appears twice', userId: 'u-1' },
    ]);
    const [first] = await local.rekindle.scanTable('Users');
    expect(first?.locale).toBe('es-MX');
  });

  it.each([1024, 1100, 4096, undefined])(
    'finds the same lines whatever the chunk size (%s bytes), with CRLF line ends and no final newline',
    async (chunkBytes) => {
      // Prepare
      const key = await upload(mixedFile().trimEnd().replaceAll('\n', '\r\n'));

      // Act
      const summary = await importFile({ key, chunkBytes, validateOnly: true });

      // Assess
      expect(summary).toMatchObject({ linesRead: 40, goodLines: 34, badLines: 4 });
      expect(await readReport(summary)).toEqual(mixedFileBadLines);
    },
  );

  it('with validateOnly checks the whole file and writes no user', async () => {
    // Prepare
    const key = await upload(mixedFile());

    // Act
    const summary = await importFile({ key, validateOnly: true, chunkBytes: 2048 });

    // Assess
    expect(summary).toMatchObject({
      validateOnly: true,
      linesRead: 40,
      goodLines: 34,
      imported: { created: 0, updated: 0, unchanged: 0 },
      badLines: 4,
    });
    expect(await local.rekindle.scanTable('Users')).toEqual([]);
    expect(await local.rekindle.scanTable('ConsentChanges')).toEqual([]);
  });

  it('changes nothing when the same file is imported again', async () => {
    // Prepare
    const key = await upload(mixedFile());
    await importFile({ key, chunkBytes: 1024 });
    const before = await local.rekindle.scanTable('Users');

    // Act
    const summary = await importFile({ key, chunkBytes: 4096 });

    // Assess
    expect(summary.imported).toEqual({ created: 0, updated: 0, unchanged: 34 });
    expect(await local.rekindle.scanTable('Users')).toEqual(before);
  });

  it('states every field as of the upload time by default, and never overwrites a newer statement', async () => {
    // Prepare: imported as of its upload; the user says STOP by SMS an hour later.
    const { client, bucket } = await s3();
    const key = await upload(line(aUser('u-1')));
    const uploadedAt = (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).LastModified;
    await importFile({ key });
    const [imported] = await local.rekindle.scanTable('Users');
    const { applyUserUpdate } = await import('../functions/users/user-update');
    const stopAt = new Date((uploadedAt?.getTime() ?? 0) + 3_600_000);
    await applyUserUpdate({
      userId: 'u-1',
      occurredAt: stopAt.toISOString(),
      source: 'sms-keyword',
      eventId: 'sms-1',
      fields: { consents: { sms: false } },
      ifMissing: 'ignore',
    });
    // An export taken half an hour after the upload (before the STOP) says SMS yes and a new locale.
    const olderExport = await upload(line(aUser('u-1', { locale: 'en' })), 'staged/');

    // Act
    const summary = await importFile({
      key: olderExport,
      asOf: new Date((uploadedAt?.getTime() ?? 0) + 1_800_000).toISOString(),
    });

    // Assess
    expect(summary.imported).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const [user] = await local.rekindle.scanTable('Users');
    expect(user).toMatchObject({
      locale: 'en',
      consents: { sms: false, push: true },
      consentSources: { sms: 'sms-keyword', push: 'import' },
    });
    expect(imported?.asOf).toMatchObject({ 'consents.sms': uploadedAt?.toISOString() });
    expect(user?.asOf).toMatchObject({ 'consents.sms': stopAt.toISOString() });
  });

  it('reports every malformed line with its field, and writes nothing for its user', async () => {
    // Prepare: one good user, then each kind of bad line.
    const good = aUser('u-good');
    const bad = (userId: string, change: (user: Record<string, unknown>) => void) => {
      const user: Record<string, unknown> = structuredClone(aUser(userId));
      change(user);
      return JSON.stringify(user);
    };
    const cases: [string, Omit<BadLine, 'line'>][] = [
      ['{"userId": "b-1",', { problem: 'not valid JSON' }],
      ['[1, 2]', { problem: 'Invalid input: expected object, received array' }],
      ['"u-3"', { problem: 'Invalid input: expected object, received string' }],
      [bad('b-4', (u) => delete u.userId), { field: 'userId', problem: expect.any(String) }],
      [bad('', () => undefined), { field: 'userId', problem: expect.stringContaining('>=1') }],
      [
        bad('b-6', (u) => Object.assign(u, { userId: 'x'.repeat(129) })),
        { field: 'userId', problem: expect.any(String) },
      ],
      [
        bad('b-7', (u) => Object.assign(u, { contact: { phone: '+52 55' } })),
        { field: 'contact.phone', problem: expect.stringContaining('E.164') },
      ],
      [
        bad('b-8', (u) => Object.assign(u, { contact: { email: 'nobody' } })),
        { field: 'contact.email', problem: 'must be an email address' },
      ],
      [
        bad('b-9', (u) => Object.assign(u, { contact: { fax: '1' } })),
        { field: 'contact.fax', problem: 'unknown field' },
      ],
      [
        bad('b-10', (u) => Object.assign(u, { push: { token: 't', platform: 'webpush' } })),
        { field: 'push.platform', problem: expect.any(String) },
      ],
      [
        bad('b-11', (u) => Object.assign(u, { push: { platform: 'fcm' } })),
        { field: 'push.token', problem: expect.any(String) },
      ],
      [bad('b-12', (u) => delete u.push), { field: 'push', problem: expect.any(String) }],
      [
        bad('b-13', (u) => Object.assign(u, { timeZone: 'Mars/Olympus' })),
        { field: 'timeZone', problem: expect.stringContaining('IANA') },
      ],
      [
        bad('b-14', (u) => Object.assign(u, { locale: 'Spanish' })),
        { field: 'locale', problem: 'must be a locale such as es-MX' },
      ],
      [
        bad('b-15', (u) => Object.assign(u, { consents: { push: true, sms: true, email: true } })),
        { field: 'consents.call', problem: expect.any(String) },
      ],
      [
        bad('b-16', (u) =>
          Object.assign(u, { consents: { push: 'yes', sms: true, email: true, call: true } }),
        ),
        { field: 'consents.push', problem: expect.any(String) },
      ],
      [
        bad('b-17', (u) => Object.assign(u, { lifecycle: {} })),
        { field: 'lifecycle.registeredAt', problem: expect.any(String) },
      ],
      [
        bad('b-18', (u) =>
          Object.assign(u, { lifecycle: { registeredAt: '2026-11-19T18:00:00Z', lastLoginAt: 'yesterday' } }),
        ),
        { field: 'lifecycle.lastLoginAt', problem: 'must be an ISO 8601 timestamp' },
      ],
      [
        bad('b-19', (u) => Object.assign(u, { ring: 'outermost' })),
        { field: 'ring', problem: expect.any(String) },
      ],
      [
        bad('b-20', (u) => Object.assign(u, { valueTier: 'gold' })),
        { field: 'valueTier', problem: expect.any(String) },
      ],
      [bad('b-21', (u) => Object.assign(u, { tags: 'vip' })), { field: 'tags', problem: expect.any(String) }],
      [
        bad('b-22', (u) => Object.assign(u, { tags: [''] })),
        { field: 'tags.0', problem: expect.any(String) },
      ],
      [
        bad('b-23', (u) => Object.assign(u, { segment: 'a' })),
        { field: 'segment', problem: 'unknown field' },
      ],
      [line(good), { problem: 'u-good appears twice', field: 'userId' }],
      [`{"userId":"b-25","tags":["${'x'.repeat(70_000)}"]}`, { problem: 'longer than 65536 bytes' }],
    ];
    const key = await upload([line(good), ...cases.map(([text]) => text)].join('\n'));

    // Act
    const summary = await importFile({ key });

    // Assess
    const report = await readReport(summary);
    expect(summary).toMatchObject({ linesRead: cases.length + 1, goodLines: 1, badLines: cases.length });
    expect(report).toEqual(
      cases.map(([, expected], index) => {
        const userId = /"userId":"(b-\d+|u-good)"/.exec(cases[index]?.[0] ?? '')?.[1];
        const readable =
          userId &&
          !expected.problem.toString().startsWith('longer') &&
          expected.problem !== 'not valid JSON';
        return { line: index + 2, ...expected, ...(readable ? { userId } : {}) };
      }),
    );
    expect(await users()).toEqual(['u-good']);
  });

  it('imports an empty file as nothing to do', async () => {
    const summary = await importFile({ key: await upload('') });
    expect(summary).toMatchObject({ linesRead: 0, goodLines: 0, badLines: 0 });
    expect(await readReport(summary)).toEqual([]);
  });

  it.each([
    [{}, 'key: '],
    [{ key: 'elsewhere/users.jsonl' }, 'key: must be an object key under incoming/ or staged/'],
    [{ key: 'incoming/x.jsonl', asOf: 'last week' }, 'asOf: must be an ISO 8601 timestamp'],
    [{ key: 'incoming/x.jsonl', validateOnly: 'yes' }, 'validateOnly: '],
    [{ key: 'incoming/x.jsonl', chunkBytes: 10 }, 'chunkBytes: '],
    [{ key: 'incoming/x.jsonl', dryRun: true }, 'dryRun: unknown field'],
  ])('refuses the execution input %j with InvalidImportInput naming the field', async (input, message) => {
    // Act
    const result = await runImport(input);

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error?.name).toBe('InvalidImportInput');
    expect(result.error?.message).toContain(message);
    expect(await local.rekindle.scanTable('Users')).toEqual([]);
  });

  it('fails with ImportFileNotFound for a key with no file', async () => {
    const result = await runImport({ key: 'incoming/missing.jsonl' });
    expect(result.error).toEqual({
      name: 'ImportFileNotFound',
      message: expect.stringContaining('key: no object incoming/missing.jsonl'),
    });
  });

  it('writes a report of any size in parts', async () => {
    // Prepare
    const { ReportWriter, importBucketName } = await import('../functions/imports/import-files');
    const key = `reports/${randomUUID()}.jsonl`;
    const writer = new ReportWriter(key, 200);
    const lines = Array.from({ length: 50 }, (_, index) => ({ line: index + 1, problem: 'not valid JSON' }));

    // Act
    for (const item of lines) await writer.write(item);
    await writer.close();

    // Assess
    expect(await readReport({ report: { bucket: importBucketName(), key } } as ImportSummary)).toEqual(lines);
  });
});
