import { expect } from 'chai';
import { ACME, ids, Market, MYR } from '../testing/market-fixture';

const reason = 'independent price sources';
const PROVIDERS = [
  { providerId: 'px-a', who: ids.operatorA, mspId: 'OperatorAMSP', enrollmentId: 'operator' },
  { providerId: 'px-b', who: ids.operatorB, mspId: 'OperatorBMSP', enrollmentId: 'operator' },
  { providerId: 'px-t', who: ids.trustee, mspId: 'TrusteeMSP', enrollmentId: 'trustee' },
];

describe('PriceFeeds: the reference price and the circuit breaker', () => {
  let m: Market;
  const post = (i: number, price: string) => {
    const p = PROVIDERS[i]!;
    return m.ok(p.who, 'PriceFeeds', 'PostPrice', [JSON.stringify({ providerId: p.providerId, classId: ACME, price })]);
  };
  const reference = () =>
    m.ok<{ source: string; price?: string; used: string[] }>(ids.operatorB, 'PriceFeeds', 'GetReference', [ACME]);
  const cross = async (price: string) => {
    await m.ok(ids.alice, 'Market', 'PlaceOrder', [], {
      accountId: 'acc-alice',
      classId: ACME,
      tokenId: MYR,
      side: 'BUY',
      price,
      quantity: '1',
    });
    await m.ok(ids.bob, 'Market', 'PlaceOrder', [], {
      accountId: 'acc-bob',
      classId: ACME,
      tokenId: MYR,
      side: 'SELL',
      price,
      quantity: '1',
    });
    return m.ok<{ fills: number; halted: boolean }>(ids.trustee, 'Market', 'Match', [
      JSON.stringify({ classId: ACME }),
    ]);
  };

  beforeEach(async () => {
    m = await new Market().setup();
    await m.deposit('acc-alice', '100000');
    await m.issue('acc-bob', '20');
    for (const { who: _who, ...p } of PROVIDERS)
      await m.ok(ids.regulator, 'PriceFeeds', 'RegisterProvider', [JSON.stringify({ ...p, reason })]);
    await m.ok(ids.regulator, 'PriceFeeds', 'Configure', [
      JSON.stringify({ classId: ACME, staleSeconds: 600, minFeeds: 2, outlierBps: 2000, reason }),
    ]);
    await m.ok(ids.regulator, 'Market', 'SetCircuitBreaker', [
      JSON.stringify({ classId: ACME, referencePrice: '100', bandBps: 1000, coolingSeconds: 600, reason }),
    ]);
    for (const i of [0, 1, 2]) await post(i, '100');
  });

  it('ignores a flash-crash feed: nothing halts', async () => {
    await post(2, '50');
    expect(await reference()).to.deep.include({ source: 'FEEDS', price: '100', used: ['px-a', 'px-b'] });
    expect(await cross('100')).to.deep.equal({ classId: ACME, fills: 1, expired: 0, withdrawn: 0, halted: false });
  });

  it('moves the band when a majority of feeds move, and halts outside it', async () => {
    await post(0, '150');
    await post(1, '150');
    expect(await reference()).to.deep.include({ source: 'FEEDS', price: '150' });
    // 150 is 50% above the breaker's own reference of 100: only a band that followed the feeds lets it trade.
    expect(await cross('150')).to.include({ fills: 1, halted: false });
    expect(await cross('100')).to.include({ fills: 0, halted: true });
  });

  it('falls back to the last trade when too few fresh feeds remain, and says so', async () => {
    await cross('104');
    m.world.now += 601;
    await post(0, '300');
    expect(await reference()).to.deep.include({ source: 'LAST_TRADE', price: '104', used: ['px-a'] });
  });

  it('takes a quote only from the registered identity of a registered, active provider', async () => {
    const body = (providerId: string) => [JSON.stringify({ providerId, classId: ACME, price: '1' })];
    await m.refused('FORBIDDEN', ids.operatorB, 'PriceFeeds', 'PostPrice', body('px-a'));
    await m.refused('FORBIDDEN', ids.alice, 'PriceFeeds', 'PostPrice', body('px-a'));
    await m.refused('NOT_FOUND', ids.operatorA, 'PriceFeeds', 'PostPrice', body('px-zz'));
    const { who: _w, ...a } = PROVIDERS[0]!;
    await m.ok(ids.regulator, 'PriceFeeds', 'RegisterProvider', [JSON.stringify({ ...a, active: false, reason })]);
    await m.refused('FORBIDDEN', ids.operatorA, 'PriceFeeds', 'PostPrice', body('px-a'));
    await m.refused('FORBIDDEN', ids.operatorA, 'PriceFeeds', 'RegisterProvider', [
      JSON.stringify({ ...a, providerId: 'px-own', reason }),
    ]);
    await m.refused('NOT_FOUND', ids.regulator, 'PriceFeeds', 'RegisterProvider', [
      JSON.stringify({ ...a, mspId: 'StrangerMSP', reason }),
    ]);
  });
});
