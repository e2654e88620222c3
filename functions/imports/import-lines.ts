import { describeFirstIssue } from '../shared/errors';
import { type User, userSchema } from '../users/user';

/** A line of an import file that imports nothing, as the report shows it. */
export interface BadLine {
  /** Line number in the file (1-based, blank lines count); within a chunk's part, in the chunk. */
  line: number;
  /** The field at fault, as a path (`contact.phone`); absent when the line as a whole is (not JSON). */
  field?: string;
  problem: string;
  /** The line's user, when it could be read. */
  userId?: string;
}

/** A line that starts inside a chunk: its number in the chunk, where it starts in the file, its text. */
export interface ChunkLine {
  line: number;
  offset: number;
  text: string;
  /** Longer than MAX_LINE_BYTES (or running past what was read): reported, not parsed. */
  tooLong: boolean;
}

/** No user comes close (a push token is at most 4 KiB); a longer line is reported instead of read on. */
export const MAX_LINE_BYTES = 64 * 1024;

const NEWLINE = 0x0a;

/**
 * The lines a chunk owns: those that START inside [start, end). `bytes` is the file from `from` (start - 1,
 * or 0 for the first chunk: the byte before the range says whether a line starts at `start`) to `readEnd`,
 * which reaches past `end` so the last owned line can be completed. Pure.
 */
export const chunkLines = (
  bytes: Uint8Array,
  from: number,
  range: { start: number; end: number; size: number },
): ChunkLine[] => {
  const readEnd = from + bytes.length;
  const lines: ChunkLine[] = [];
  let lineStart: number;
  if (range.start === 0) lineStart = 0;
  else {
    const newline = bytes.indexOf(NEWLINE);
    if (newline === -1) return lines;
    lineStart = from + newline + 1;
  }
  const decoder = new TextDecoder();
  while (lineStart < range.end) {
    const newline = bytes.indexOf(NEWLINE, lineStart - from);
    const complete = newline !== -1 || readEnd === range.size;
    const lineEnd = newline === -1 ? readEnd : from + newline;
    // Too long is too long wherever the line falls, whether or not its end was read.
    const tooLong = !complete || lineEnd - lineStart > MAX_LINE_BYTES;
    const text = tooLong
      ? ''
      : decoder.decode(bytes.subarray(lineStart - from, lineEnd - from)).replace(/\r$/, '');
    lines.push({ line: lines.length + 1, offset: lineStart, text, tooLong });
    if (!complete) break;
    lineStart = lineEnd + 1;
  }
  return lines;
};

const readableUserId = (json: unknown): string | undefined => {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const { userId } = json as { userId?: unknown };
  return typeof userId === 'string' && userId.length > 0 && userId.length <= 128 ? userId : undefined;
};

/** "field: problem" from describeFirstIssue, split so the report has the field on its own. */
const splitIssue = (description: string): { field?: string; problem: string } => {
  const colon = description.indexOf(': ');
  const field = description.slice(0, colon);
  return colon === -1 || field === '(root)'
    ? { problem: description.slice(colon + 2) }
    : { field, problem: description.slice(colon + 2) };
};

export type CheckedLine = { user: User } | { bad: Omit<BadLine, 'line'> };

/** Parses one line as a user in the import format (strict: unknown fields are rejected). */
export const checkLine = (line: ChunkLine): CheckedLine | undefined => {
  if (line.tooLong) return { bad: { problem: `longer than ${MAX_LINE_BYTES} bytes` } };
  if (line.text.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line.text);
  } catch {
    return { bad: { problem: 'not valid JSON' } };
  }
  const parsed = userSchema.safeParse(json);
  if (parsed.success) return { user: parsed.data };
  const userId = readableUserId(json);
  return { bad: { ...splitIssue(describeFirstIssue(parsed.error)), ...(userId ? { userId } : {}) } };
};
