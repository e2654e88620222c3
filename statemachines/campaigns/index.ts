import { type Campaign, type CampaignInput, campaignSchema } from '../../functions/campaign/definition';
import { describeFirstIssue } from '../../functions/shared/errors';
import { registeredNoVisit } from './registered-no-visit';

/** Every campaign Rekindle deploys; adding a campaign is adding its file and listing it here. */
export const campaignDefinitions: CampaignInput[] = [registeredNoVisit];

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
