/** Reading one form field: present, not too long; the error code is also the i18n key. */
export function readField(
  form: Record<string, string>,
  name: string,
  maxLength: number,
  { trim = true, required = true }: { trim?: boolean; required?: boolean } = {},
): { value?: string; error?: string } {
  const raw = form[name];
  const value = raw === undefined ? '' : trim ? raw.trim() : raw;
  if (value.length > maxLength) return { value: value.slice(0, maxLength), error: 'too_long' };
  if (required && value.length === 0) return { value, error: 'required' };
  return { value };
}

export function readCheckbox(form: Record<string, string>, name: string): boolean {
  return form[name] === 'on' || form[name] === 'true' || form[name] === '1';
}
