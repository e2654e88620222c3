import { z } from 'zod';
import type { Campaign } from '../campaign/definition';
import { withOverrides } from '../guardrails/configuration';
import { RekindleError } from '../shared/errors';

/**
 * Where a link may lead: an https page or an app deep link (a scheme of the app's own). Never plain http,
 * nor a scheme a browser runs or reads locally.
 */
const destinationUrl = z
  .string()
  .max(500)
  .refine(
    (value) => {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
      return (
        scheme !== undefined && !['http', 'javascript', 'data', 'file', 'vbscript', 'blob'].includes(scheme)
      );
    },
    { message: 'must be an https:// page or an app deep link such as rekindle://home' },
  )
  .refine((value) => URL.canParse(value), { message: 'must be a URL' });

export const destinationId = z
  .string()
  .regex(/^[a-z0-9-]{1,24}$/, { message: 'must be a short id of a-z, 0-9 and -' });

/**
 * The stack's tracked links: the allowlist of destinations copy may link to (`{link:<id>}`), and how long a
 * link works after its send.
 */
export const linkSettingsSchema = z.strictObject({
  destinations: z
    .record(destinationId, destinationUrl)
    .refine((destinations) => Object.keys(destinations).length > 0, { message: 'must name at least one' }),
  validDays: z.number().int().min(1).max(90),
});
export type LinkSettings = z.infer<typeof linkSettingsSchema>;

/** Placeholders until a deployment names its own (CDK context `links`; see README "Tracked links"). */
export const defaultLinkSettings: LinkSettings = {
  destinations: {
    app: 'https://app.rekindle.example/open',
    offer: 'https://app.rekindle.example/offer',
    apply: 'https://app.rekindle.example/apply',
  },
  validDays: 30,
};

/** The defaults with what a configuration overrides (a JSON string from CDK context, or an object). */
export const linkSettingsFrom = (override: unknown): LinkSettings =>
  withOverrides(
    'links',
    linkSettingsSchema,
    defaultLinkSettings,
    override,
    '{"destinations":{"app":"https://example.com/open"},"validDays":14}',
  );

/** A `{link:<id>}` placeholder names no destination of the stack's allowlist. */
export class LinkDestinationUnknown extends RekindleError {
  constructor(where: string, id: string, known: readonly string[]) {
    super(
      'LinkDestinationUnknown',
      `${where}: {link:${id}} names no link destination; the stack allows ${known.join(', ')}`,
    );
  }
}

/** Copy that links to a URL directly: every link must be a tracked `{link:<id>}`. */
export class UntrackedLinkInCopy extends RekindleError {
  constructor(where: string) {
    super(
      'UntrackedLinkInCopy',
      `${where}: links in copy must be {link:<destination>} placeholders, not URLs`,
    );
  }
}

export const LINK_PLACEHOLDER = /\{link:([^}]*)\}/g;

/** The destination ids a text links to, in order. */
export const linkPlaceholdersIn = (text: string): string[] =>
  [...text.matchAll(LINK_PLACEHOLDER)].map((match) => match[1] ?? '');

const RAW_URL = /\b(?:https?:\/\/|www\.)\S/i;

/** Checks one text of copy: only tracked links, each to a destination of the allowlist. */
export const assertTrackedLinks = (where: string, text: string, settings: LinkSettings): void => {
  if (RAW_URL.test(text.replace(LINK_PLACEHOLDER, ''))) throw new UntrackedLinkInCopy(where);
  for (const id of linkPlaceholdersIn(text)) {
    if (!Object.hasOwn(settings.destinations, id)) {
      throw new LinkDestinationUnknown(where, id, Object.keys(settings.destinations));
    }
  }
};

/** Every text of every template and variant of the campaign: tracked links only, to allowed destinations. */
export const assertCampaignLinks = (
  campaign: Pick<Campaign, 'id' | 'steps'>,
  settings: LinkSettings,
): void => {
  campaign.steps.forEach((step, index) => {
    if (step.type !== 'channel') return;
    const templates: [string, Record<string, Record<string, string> | undefined>][] = [
      ['template', step.template],
      ...(step.variants ?? []).map(
        (variant) =>
          [`variants.${variant.id}`, variant.template] as [string, Record<string, Record<string, string>>],
      ),
    ];
    for (const [name, template] of templates) {
      for (const [locale, copy] of Object.entries(template)) {
        for (const [field, text] of Object.entries(copy ?? {})) {
          assertTrackedLinks(
            `Campaign ${campaign.id} steps.${index}.${name}.${locale}.${field}`,
            text,
            settings,
          );
        }
      }
    }
  });
};
