import { Option, type Command } from 'commander';
import { CLOUD_DEFAULTS, createCloudToken, QLIK_CLOUD_AUDIENCE } from '../../core/qlik/cloud-token.js';
import { collect, newCommand } from '../command-setup.js';
import { resolvePrivateKey } from '../io/private-key-options.js';
import { addTokenOptions, algorithmFlag, parseClaimArguments, type TokenFlags } from '../token-options.js';
import { emitToken, summarizeToken } from '../token-output.js';

interface CloudFlags extends TokenFlags {
  sub: string;
  name: string;
  email: string;
  emailVerified: 'true' | 'false';
  issuer: string;
  kid: string;
  groups?: string[];
  audience: string;
}

export function buildCommand(): Command {
  const command = newCommand('create cloud', "Mint a JWT for Qlik Cloud's JWT identity provider (POST /login/jwt-session). The token goes to stdout.", [
    'qs-jwt create cloud --key privatekey.pem --sub anna --name "Anna Andersson" --email anna@acme.com --issuer https://idp.acme.com --kid 2Yt0...',
    'qs-jwt create cloud --key privatekey.pem --sub anna --name Anna --email anna@acme.com --issuer acme --kid k1 --groups Sales Finance --expires 10m',
    'curl -X POST -c cookies.txt -H "Authorization: Bearer $(qs-jwt create cloud ...)" https://TENANT.qlikcloud.com/login/jwt-session',
  ])
    .requiredOption('--sub <subject>', 'sub claim: a stable ID per user (Qlik Cloud keys the user on it)')
    .requiredOption('--name <name>', 'name claim')
    .requiredOption('--email <email>', 'email claim')
    .requiredOption('--issuer <iss>', "iss claim: the identity provider's issuer")
    .requiredOption('--kid <id>', "kid header: the identity provider's key ID")
    .addOption(new Option('--email-verified <bool>', 'email_verified claim, sent as a JSON boolean').choices(['true', 'false']).default('true'))
    .option('--groups <group...>', 'groups claim, a JSON array (space-separated and repeatable)', (value: string, previous: string[] | undefined) => collect(value, previous))
    .option('--audience <aud>', 'aud claim; Qlik Cloud accepts only the default', QLIK_CLOUD_AUDIENCE);
  addTokenOptions(command, CLOUD_DEFAULTS.expires);
  return command.action(async (flags: CloudFlags) => {
    const algorithm = algorithmFlag(flags.alg);
    const claims = parseClaimArguments(flags.claim);
    const privateKey = await resolvePrivateKey(flags);
    const created = createCloudToken({
      privateKey,
      algorithm,
      subject: flags.sub,
      name: flags.name,
      email: flags.email,
      emailVerified: flags.emailVerified === 'true',
      issuer: flags.issuer,
      keyId: flags.kid,
      groups: flags.groups,
      audience: flags.audience,
      jwtId: flags.jti,
      issuedAt: flags.issuedAt,
      notBefore: flags.notBefore,
      expires: flags.expires,
      claims,
    });
    emitToken(created, flags.format, {
      summary: summarizeToken(created, `Qlik Cloud token for ${flags.name} <${flags.email}> (sub ${flags.sub})`),
      showSummary: Boolean(flags.verbose) || process.stderr.isTTY === true,
    });
  });
}
