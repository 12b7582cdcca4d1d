import type { Knex } from 'knex';
import * as accounts from './001_accounts.js';
import * as clients from './002_clients.js';
import * as signingKeys from './003_signing_keys.js';
import * as auditEvents from './004_audit_events.js';
import * as agentNumbers from './005_agent_numbers.js';
import * as trustedDevices from './006_trusted_devices.js';
import * as rolesOrganisations from './007_roles_organisations.js';
import * as initialPasswords from './008_initial_passwords.js';
import * as clientsRegisteredByAdmin from './009_clients_registered_by_admin.js';
import * as policyholders from './010_policyholders.js';
import * as clientBranding from './011_client_branding.js';
import * as auditActor from './012_audit_actor.js';
import * as registrationTokens from './013_registration_tokens.js';
import * as lockoutHardStop from './014_lockout_hard_stop.js';
import * as accountPositionPhone from './015_account_position_phone.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Listed statically so the same migrations run from `dist/`, from tests and on PGlite. */
const migrations: ReadonlyArray<[string, Migration]> = [
  ['001_accounts', accounts],
  ['002_clients', clients],
  ['003_signing_keys', signingKeys],
  ['004_audit_events', auditEvents],
  ['005_agent_numbers', agentNumbers],
  ['006_trusted_devices', trustedDevices],
  ['007_roles_organisations', rolesOrganisations],
  ['008_initial_passwords', initialPasswords],
  ['009_clients_registered_by_admin', clientsRegisteredByAdmin],
  ['010_policyholders', policyholders],
  ['011_client_branding', clientBranding],
  ['012_audit_actor', auditActor],
  ['013_registration_tokens', registrationTokens],
  ['014_lockout_hard_stop', lockoutHardStop],
  ['015_account_position_phone', accountPositionPhone],
];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => [...migrations],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
