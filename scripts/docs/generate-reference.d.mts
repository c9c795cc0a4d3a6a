// Types of the generator's page renderers, for the tests that check them (test/docs).
export function sdkApiPage(): string;
export function cliPage(run?: (args: string[]) => string | Promise<string>): Promise<string>;
export function diagnosticsPage(
  codes: Readonly<Record<string, { readonly level: string; readonly summary: string }>>,
): string;
export function exitCodesPage(exitCodes: Readonly<Record<string, number>>): string;
