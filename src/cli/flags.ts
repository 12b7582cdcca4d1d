import { Option, type Command } from 'commander';
import { ValidationError } from '../errors/index.js';

/**
 * One command-line flag and the domain input field it fills. Commands declare their flags
 * as a table of these, so adding a flag is one line.
 */
export interface FlagSpec<F extends string> {
  flags: string;
  description: string;
  field: F;
  parse?: (value: string, previous: unknown) => unknown;
  choices?: readonly string[];
  /** Mandatory when creating; every flag is optional on update. */
  requiredOnCreate?: boolean;
  /** Only offered on update, e.g. `--device-shortcut` to undo `--no-device-shortcut`. */
  updateOnly?: boolean;
}

/** For flags given more than once (`--redirect-uri a --redirect-uri b`). */
export const repeatable = (value: string, previous: unknown): string[] => [...((previous as string[] | undefined) ?? []), value];

/** For comma-separated list flags (`--scopes openid,email`); repeating the flag adds more. */
export const commaList = (value: string, previous: unknown): string[] => [
  ...((previous as string[] | undefined) ?? []),
  ...value.split(',').map((item) => item.trim()).filter(Boolean),
];

export function defineFlags<F extends string>(specs: readonly FlagSpec<F>[]) {
  const flagName = (spec: FlagSpec<F>) => spec.flags.split(/[ ,]/)[0]!;
  const attributeName = (spec: FlagSpec<F>) => new Option(spec.flags).attributeName();

  return {
    addTo(command: Command, { mode }: { mode: 'create' | 'update' }): Command {
      for (const spec of specs) {
        if (spec.updateOnly && mode !== 'update') continue;
        const option = new Option(spec.flags, spec.description);
        if (spec.parse) option.argParser(spec.parse);
        if (spec.choices) option.choices(spec.choices);
        if (spec.requiredOnCreate && mode === 'create') option.makeOptionMandatory();
        command.addOption(option);
      }
      return command;
    },

    /**
     * The fields of the flags actually typed on the command line. Defaults commander
     * invents (a `--no-x` flag implies x=true) are left out, so the domain's defaults
     * apply on create and an update changes only what was given.
     */
    given(command: Command): Partial<Record<F, unknown>> {
      const values: Partial<Record<F, unknown>> = {};
      for (const spec of specs) {
        const key = attributeName(spec);
        if (command.getOptionValueSource(key) === 'cli') values[spec.field] = command.getOptionValue(key);
      }
      return values;
    },

    /**
     * Runs domain work, naming the problems of a ValidationError by flag instead of field
     * (fields the domain names `<prefix><field>`, e.g. `brand.color`).
     */
    async inFlagTerms<T>(work: () => Promise<T>, prefix = ''): Promise<T> {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const flagFor = (field: string) => {
          const spec = specs.find((s) => `${prefix}${s.field}` === field && !s.updateOnly);
          return spec ? flagName(spec) : field;
        };
        throw new ValidationError(Object.fromEntries(Object.entries(error.problems).map(([field, code]) => [flagFor(field), code])));
      }
    },
  };
}
