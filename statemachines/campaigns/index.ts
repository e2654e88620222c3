import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Campaign, type CampaignInput, campaignSchema } from '../../functions/campaign/definition';
import { describeFirstIssue } from '../../functions/shared/errors';

export class InvalidCampaign extends Error {
  constructor(campaignId: string, problem: string) {
    super(`Campaign ${campaignId} is invalid: ${problem}`);
    this.name = 'InvalidCampaign';
  }
}

/** Validates a definition; an invalid one fails `cdk synth` with the campaign and field named. */
export const validateCampaign = (definition: CampaignInput): Campaign => {
  const parsed = campaignSchema.safeParse(definition);
  if (!parsed.success) throw new InvalidCampaign(String(definition.id), describeFirstIssue(parsed.error));
  return parsed.data;
};

// Every other file in this folder is one campaign exporting `campaign`: adding a campaign is adding a file.
const folder = path.dirname(fileURLToPath(import.meta.url));
const files = readdirSync(folder)
  .filter((file) => /\.ts$/.test(file) && file !== 'index.ts')
  .sort();
export const campaignDefinitions: CampaignInput[] = await Promise.all(
  files.map(
    async (file) => ((await import(path.join(folder, file))) as { campaign: CampaignInput }).campaign,
  ),
);
