import { expect } from 'chai';
import { CLI_TOKEN_DAYS_DEFAULT, parseExpiresIn, tokenExpiry } from './token-expiry';

const NOW = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;

describe('CLI token expiry', () => {
  it('expires a token after 90 days when no option is given, as customer tokens do', () => {
    expect(CLI_TOKEN_DAYS_DEFAULT).to.equal(90);
    expect(tokenExpiry({}, NOW).getTime()).to.equal(NOW + 90 * DAY);
  });

  it('reads --expires-in in days, hours or minutes (a bare number is days), and --expires-days as days', () => {
    expect(parseExpiresIn('30d')).to.equal(30 * DAY);
    expect(parseExpiresIn('12h')).to.equal(12 * 3_600_000);
    expect(parseExpiresIn('45m')).to.equal(45 * 60_000);
    expect(parseExpiresIn('7')).to.equal(7 * DAY);
    expect(tokenExpiry({ expiresIn: '2h' }, NOW).getTime()).to.equal(NOW + 2 * 3_600_000);
    expect(tokenExpiry({ expiresDays: '10' }, NOW).getTime()).to.equal(NOW + 10 * DAY);
  });

  it('refuses a malformed, zero, or longer-than-a-year expiry, and both options at once', () => {
    for (const bad of ['', '0d', '-1d', '1.5d', '10w', 'never', '366d', '8785h'])
      expect(() => parseExpiresIn(bad), bad).to.throw(/--expires-in/);
    expect(parseExpiresIn('365d')).to.equal(365 * DAY);
    expect(() => tokenExpiry({ expiresIn: '1d', expiresDays: '1' })).to.throw(/not both/);
  });
});
