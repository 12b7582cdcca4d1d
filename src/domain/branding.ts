import { z } from 'zod';
import { ValidationError } from '../errors/index.js';
import type { BrandFields, BrandsRepo } from '../store/pg/brands-repo.js';
import type { AuditActor, AuditLog } from './audit.js';
import { BRAND_COLOR } from './brand-colors.js';
import { logoProblem, storedLogo } from './brand-logo.js';
import { clientUriProblem } from './client-uris.js';

/** A brand as the pages show it; absent parts fall back to the deployment's (SPEC 4.11). */
export interface Brand {
  name?: string;
  /** `#rrggbb` */
  color?: string;
  supportContact?: string;
  termsUrl?: string;
  privacyUrl?: string;
  /** Where pforte serves the logo; the sha256 in it changes with the logo. */
  logoUrl?: string;
}

/** What an administrator may set; `null` (the CLI's empty value) removes a part. */
export interface BrandInput {
  name?: string | null;
  logo?: Buffer | null;
  color?: string | null;
  supportContact?: string | null;
  termsUrl?: string | null;
  privacyUrl?: string | null;
}

export const logoPath = (hash: string, type: string) => `/branding/logo/${hash}.${type === 'image/png' ? 'png' : 'svg'}`;

/**
 * Names and contacts are shown on every page of a client: printable text on one line, no
 * markup (refused, not escaped away, so nobody believes it renders), not novel-length.
 */
const displayText = (max: number) =>
  z
    .string()
    .transform((value) => value.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(1, 'must not be empty')
        .max(max, `must be at most ${max} characters`)
        .refine((value) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value), 'must be one line of printable text')
        .refine((value) => !/[<>]/.test(value), 'must not contain < or > (no HTML)'),
    );

const pageUrl = z
  .string()
  .max(2000)
  .superRefine((value, ctx) => {
    const problem = clientUriProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const brandInput = z.object({
  name: displayText(80).nullable().optional(),
  color: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.string().regex(BRAND_COLOR, 'must be a colour written #RRGGBB'))
    .nullable()
    .optional(),
  supportContact: displayText(200).nullable().optional(),
  termsUrl: pageUrl.nullable().optional(),
  privacyUrl: pageUrl.nullable().optional(),
  logo: z
    .instanceof(Buffer)
    .superRefine((bytes, ctx) => {
      const problem = logoProblem(bytes);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .nullable()
    .optional(),
});

function toColumns(input: z.output<typeof brandInput>): Partial<BrandFields> {
  const columns: Partial<BrandFields> = {};
  if (input.name !== undefined) columns.display_name = input.name;
  if (input.color !== undefined) columns.primary_color = input.color;
  if (input.supportContact !== undefined) columns.support_contact = input.supportContact;
  if (input.termsUrl !== undefined) columns.terms_url = input.termsUrl;
  if (input.privacyUrl !== undefined) columns.privacy_url = input.privacyUrl;
  if (input.logo !== undefined) {
    const logo = input.logo ? storedLogo(input.logo) : undefined;
    Object.assign(columns, { logo: logo?.bytes ?? null, logo_type: logo?.type ?? null, logo_hash: logo?.hash ?? null });
  }
  return columns;
}

/** The brand input checked (ValidationError naming each bad part); the CLI checks before it creates a client. */
export function checkBrandInput(input: BrandInput): z.output<typeof brandInput> {
  const parsed = brandInput.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'brand'), i.message])));
  }
  return parsed.data;
}

/** Per-client branding of the hosted pages (SPEC 4.11); reached through the client service. */
export function createBranding({ repo, audit }: { repo: BrandsRepo; audit: AuditLog }) {
  return {
    async set(clientId: string, input: BrandInput, actor?: AuditActor): Promise<Brand> {
      await repo.upsert(clientId, toColumns(checkBrandInput(input)));
      await audit.record('client.updated', { client_id: clientId, actor: actor ?? null, detail: { changed: Object.keys(input).map((field) => `brand.${field}`) } });
      return (await this.find(clientId)) ?? {};
    },

    async find(clientId: string): Promise<Brand | undefined> {
      const row = await repo.find(clientId);
      if (!row) return undefined;
      const brand: Brand = {
        name: row.display_name ?? undefined,
        color: row.primary_color ?? undefined,
        supportContact: row.support_contact ?? undefined,
        termsUrl: row.terms_url ?? undefined,
        privacyUrl: row.privacy_url ?? undefined,
        logoUrl: row.logo_hash && row.logo_type ? logoPath(row.logo_hash, row.logo_type) : undefined,
      };
      return Object.fromEntries(Object.entries(brand).filter(([, value]) => value !== undefined));
    },

    findLogo: (hash: string) => repo.findLogo(hash),
  };
}

export type Branding = ReturnType<typeof createBranding>;
