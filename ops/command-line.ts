import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * Node's `parseArgs`, with what it refuses (an unknown option, an option without its value, a stray
 * argument) thrown as the command's own usage error: every bad command line is refused by one name.
 */
export const parseCommandLine = <T extends ParseArgsConfig>(
  config: T,
  UsageError: new (message: string) => Error,
) => {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'))
      throw new UsageError((error as Error).message);
    throw error;
  }
};
