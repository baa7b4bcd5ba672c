/**
 * The CLI's usage text, per command. Kept apart from cli.ts, and free of Fabric imports, because
 * fabric-common parses process.argv when it loads (nconf + yargs) and answers `--help` itself with its
 * own, empty, option list: the CLI must print its help before anything loads it.
 */
const COMMANDS: ReadonlyArray<readonly [string, string]> = [
  ['serve', "serve --org NAME [--port N]           run one org's gateway in the foreground"],
  ['relay', 'relay --org Regulator                 run the audit relay in the foreground'],
  [
    'up',
    `up [--org NAME] [--no-relay] [--no-captable]
                                        start the gateway of every org (or one) in the background,
                                        the regulator's audit relay and the trustee's cap table service`,
  ],
  ['down', 'down [--org NAME] [--relay|--captable] stop them (--relay, --captable: that service only)'],
  ['crash', 'crash [--org NAME] [--relay|--captable] kill them with SIGKILL (fault tests)'],
  ['captable serve', 'captable serve --org Trustee          run the cap table service in the foreground'],
  [
    'captable reconcile',
    `captable reconcile --org Trustee      compare the cap table with the chaincode's balances of every
                                        holder; prints the breaks, exits 1 if there is one`,
  ],
  [
    'captable rebuild',
    `captable rebuild --org Trustee --through BLOCK (--into FOLDER | --database-url URL)
                                        project blocks 0..BLOCK into a new database; prints its digest`,
  ],
  ['captable digest', "captable digest --org Trustee         the live cap table's last block and digest"],
  [
    'token create',
    `token create --org NAME --identity LABEL [--scopes read,write,events,identities]
               [--description TEXT] [--expires-in DURATION]
                                        create an API token bound to a wallet identity; prints it once.
                                        It expires after DURATION: 90d by default, e.g. 30d, 12h, 45m
                                        (a bare number is days), at most 365d. --expires-days N: as Nd`,
  ],
  ['token list', 'token list --org NAME                 list tokens (ids, identities, scopes; never the tokens)'],
  ['token revoke', 'token revoke --org NAME (--id ID | --identity LABEL)'],
  ['identities', "identities --org NAME                 list the wallet's identities"],
  [
    'reconcile trust-account',
    `reconcile trust-account --org TRUSTEE --statement FILE [--format camt.053|csv]
               [--out FILE] [--fail-on-break]
                                        compare the bank's end-of-day statement (ISO 20022 camt.053
                                        XML or CSV) with the supply of each of the trustee's money
                                        tokens; --fail-on-break: exit 3 when there is a break`,
  ],
  [
    'register import',
    `register import --org TRUSTEE --register-id ID --file FILE
                                        issue a register of members (CSV: holder,class,units) as the
                                        opening issuance of its classes; a rerun changes nothing`,
  ],
  [
    'register reconcile',
    `register reconcile --org TRUSTEE --file FILE [--out FILE] [--fail-on-break]
                                        compare a register of members with the ledger's balances`,
  ],
];

const COMMON = 'common: --topology FILE (default network/topology.yaml); ECF_NETWORK_HOME as for the network CLI';

export const USAGE = `usage: gateway-api <command> [options]\n${COMMANDS.map(([, text]) => `  ${text}`).join('\n')}\n${COMMON}`;

/** The usage of one command (`token create`), of a command's group (`token`), or all of it. */
export function usageOf(command?: string, sub?: string): string {
  const exact = COMMANDS.filter(([name]) => name === `${command} ${sub}` || name === command);
  const group = COMMANDS.filter(([name]) => name.startsWith(`${command} `));
  const picked = exact.length > 0 ? exact : group;
  if (picked.length === 0) return USAGE;
  return `usage: gateway-api ${picked.map(([, text]) => text).join('\n       gateway-api ')}\n${COMMON}`;
}

/** The help to print when the arguments ask for it (`--help` or `-h` anywhere), else undefined. */
export function helpFor(args: readonly string[]): string | undefined {
  if (!args.includes('--help') && !args.includes('-h')) return undefined;
  const [command, sub] = args;
  const positional = (a: string | undefined) => (a !== undefined && !a.startsWith('-') ? a : undefined);
  return usageOf(positional(command), positional(sub));
}
