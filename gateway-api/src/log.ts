import winston from 'winston';

/**
 * JSON logs. Nothing that identifies a person or grants access is ever passed to the logger: request
 * bodies, transient data, tokens and keys are not logged at all, and as a second line of defence the
 * format below blanks fields with sensitive names and anything that looks like a PEM block or a token.
 */
const SENSITIVE = /^(authorization|token|secret|password|privateKey|key|personal|transient|body|salt|certificate)$/i;
const PEM = /-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/g;
const TOKEN = /ecf_[A-Za-z0-9_-]{20,}/g;

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PEM, '[pem]').replace(TOKEN, '[token]');
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SENSITIVE.test(k) ? '[redacted]' : scrub(v, depth + 1),
    ]),
  );
}

const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    info[key] = SENSITIVE.test(key) ? '[redacted]' : scrub(info[key]);
  }
  return info;
});

export function createLogger(options: { level?: string; org: string; stream?: NodeJS.WritableStream }): winston.Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: 'gateway-api', org: options.org },
    format: winston.format.combine(redact(), winston.format.timestamp(), winston.format.json()),
    transports: [
      options.stream ? new winston.transports.Stream({ stream: options.stream }) : new winston.transports.Console(),
    ],
  });
}
