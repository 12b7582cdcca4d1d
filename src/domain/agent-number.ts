/**
 * Agent numbers as people type them: "60 123 4567", "60-123-4567", "601234567" all mean
 * 60/123/4567. Separators are dropped; nine bare digits get the default NN/NNN/NNNN shape;
 * the configured pattern (AGENT_NUMBER_PATTERN) then decides what is valid.
 */
export function normaliseAgentNumber(input: string, pattern: RegExp): string | undefined {
  if (input.length > 64) return undefined;
  const compact = input.replace(/[\s\-._]/g, '');
  const shaped = /^\d{9}$/.test(compact) ? `${compact.slice(0, 2)}/${compact.slice(2, 5)}/${compact.slice(5)}` : compact;
  return pattern.test(shaped) ? shaped : undefined;
}
