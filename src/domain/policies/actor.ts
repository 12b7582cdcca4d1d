/**
 * Who acts (ARCHITECTURE-REVIEW P3): an administrator (CLI, later the admin API), a user
 * manager through /manage, a person on their own account page, or pforte itself (seed,
 * background work). Every write names one; audit rows record it queryably.
 */
export type Actor =
  | { kind: 'admin'; id: string }
  /**
   * `organisationIds`: every organisation the manager administers (their own and, for a group
   * manager, its descendants: SPEC 5); without it, only `organisationId`.
   */
  | { kind: 'userManager'; accountId: string; organisationId: string; organisationIds?: readonly string[] }
  | { kind: 'self'; accountId: string }
  | { kind: 'system'; name: string };

/** The audit columns of an actor: kind and id, and the readable label of the older `actor` column. */
export function actorColumns(actor: Actor): { actor: string; actor_kind: string; actor_id: string } {
  switch (actor.kind) {
    case 'admin':
      return { actor: actor.id, actor_kind: 'admin', actor_id: actor.id };
    case 'userManager':
      return { actor: `account:${actor.accountId}`, actor_kind: 'user_manager', actor_id: actor.accountId };
    case 'self':
      return { actor: `account:${actor.accountId}`, actor_kind: 'self', actor_id: actor.accountId };
    case 'system':
      return { actor: actor.name, actor_kind: 'system', actor_id: actor.name };
  }
}
