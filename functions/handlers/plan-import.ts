import { headImportFile } from '../imports/import-files';
import { type ImportPlan, parseImportInput, planImport } from '../imports/import-input';
import { lambdaHandler } from '../shared/lambda';
import { logger } from '../shared/powertools';

/** First state of an import: the state machine passes the execution input and the execution's name. */
interface PlanImportEvent {
  input: unknown;
  importId: string;
}

export const handler = lambdaHandler(
  async (event: PlanImportEvent): Promise<ImportPlan> => {
    const input = parseImportInput(event.input);
    const plan = planImport(input, event.importId, await headImportFile(input.key));
    logger.info('Import planned', { importId: plan.importId, key: plan.key, chunks: plan.chunkCount });
    return plan;
  },
  { publishesMetrics: false },
);
