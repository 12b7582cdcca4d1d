/**
 * Session lifetime (SPEC 7): with "Stay signed in" STAY_SIGNED_IN_DAYS; otherwise the
 * cookie ends with the browser and the server side ends SESSION_MAX_HOURS after sign-in
 * at the latest. The limit is absolute: it counts from loginTs, not from the last use.
 */
export function sessionTtlSeconds(
  session: { loginTs?: number; transient?: boolean },
  limits: { staySignedInDays: number; maxHours: number },
  nowSeconds = Math.floor(Date.now() / 1000),
): number {
  const isPersistent = session.loginTs !== undefined && !session.transient;
  const limit = isPersistent ? limits.staySignedInDays * 86400 : limits.maxHours * 3600;
  if (session.loginTs === undefined) return limit;
  return Math.max(1, session.loginTs + limit - nowSeconds);
}
