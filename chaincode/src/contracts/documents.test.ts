import type { ClassDocument, DocumentVerification } from '@ecf/common';
import { expect } from 'chai';
import { ACME, campaignTerms, ids, Market, offeringDocument } from '../testing/market-fixture';

const j = (o: unknown) => [JSON.stringify(o)];
const DAY = 86400;

describe('Documents of a share class', () => {
  let m: Market;
  beforeEach(async () => {
    m = await new Market().setup(); // with ACME-ORD-offering, attached by the trustee
  });

  it('records type, hash, URI, effective date, jurisdiction and attester; only the class’s parties attach', async () => {
    const articles = { ...offeringDocument(ACME, 'acme-articles', m.world.now), type: 'articles' };
    await m.refused('FORBIDDEN', ids.operatorB, 'Documents', 'Attach', j(articles));
    await m.refused('FORBIDDEN', ids.acme, 'Documents', 'Attach', j(articles));
    await m.refused('FORBIDDEN', ids.regulator, 'Documents', 'Attach', j(articles));
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Documents', 'Attach', j({ ...articles, sha256: 'ABC' }));
    await m.refused(
      'INVALID_ARGUMENT',
      ids.operatorA,
      'Documents',
      'Attach',
      j({ ...articles, uri: 'http://x.example/a' }),
    );
    const doc = await m.ok<ClassDocument>(ids.operatorA, 'Documents', 'Attach', j(articles));
    expect(doc).to.include({ type: 'articles', jurisdiction: 'MY', status: 'CURRENT' });
    expect(doc.attestations.map((a) => [a.role, a.mspId])).to.deep.equal([['operator', 'OperatorAMSP']]);
    await m.refused('CONFLICT', ids.operatorA, 'Documents', 'Attach', j(articles));
    const acknowledged = await m.ok<ClassDocument>(
      ids.regulator,
      'Documents',
      'Attest',
      j({ classId: ACME, documentId: 'acme-articles' }),
    );
    expect(acknowledged.attestations.map((a) => a.role)).to.deep.equal(['operator', 'regulator']);
    await m.refused(
      'FORBIDDEN',
      ids.operatorB,
      'Documents',
      'Attest',
      j({ classId: ACME, documentId: 'acme-articles' }),
    );
  });

  it('keeps a replaced document in the history, and approves campaigns only under a current offering document', async () => {
    m.world.now += DAY;
    const next = offeringDocument(ACME, 'offering-v2', m.world.now + DAY);
    // A second offering document of the same jurisdiction must name the one it replaces.
    await m.refused('CONFLICT', ids.operatorA, 'Documents', 'Attach', j(next));
    await m.refused('CONFLICT', ids.operatorA, 'Documents', 'Attach', j({ ...next, replaces: 'nope' }));
    await m.ok(ids.operatorA, 'Documents', 'Attach', j({ ...next, replaces: `${ACME}-offering` }));
    const history = await m.ok<ClassDocument[]>(ids.carol, 'Documents', 'List', j({ classId: ACME }));
    expect(history.map((d) => [d.documentId, d.status])).to.deep.equal([
      [`${ACME}-offering`, 'REPLACED'],
      ['offering-v2', 'CURRENT'],
    ]);
    expect(history[0]).to.include({ replacedBy: 'offering-v2' });
    // v2 takes effect tomorrow: until then the class has no offering document in effect.
    await m.ok(ids.acme, 'Campaigns', 'Propose', j(campaignTerms(m.world.now + 2 * DAY)));
    const refused = await m.refused(
      'COMPLIANCE',
      ids.operatorA,
      'Campaigns',
      'Approve',
      j({ campaignId: 'acme-seed' }),
    );
    expect(refused).to.contain('NO_OFFERING_DOCUMENT');
    m.world.now += DAY;
    await m.ok(ids.operatorA, 'Campaigns', 'Approve', j({ campaignId: 'acme-seed' }));
  });

  it('verifies a file against its recorded hash, for any member', async () => {
    const ref = { classId: ACME, documentId: `${ACME}-offering` };
    const file = (text: string) => Buffer.from(text).toString('base64');
    const good = await m.ok<DocumentVerification>(
      ids.carol,
      'Documents',
      'Verify',
      j({ ...ref, contentBase64: file(`offering document of ${ACME}`) }),
    );
    expect(good).to.include({ matches: true, status: 'CURRENT' });
    const bad = await m.ok<DocumentVerification>(
      ids.alice,
      'Documents',
      'Verify',
      j({ ...ref, contentBase64: file('tampered') }),
    );
    expect(bad.matches).to.equal(false);
    expect(bad.sha256).to.not.equal(bad.recordedSha256);
    await m.refused(
      'NOT_FOUND',
      ids.alice,
      'Documents',
      'Verify',
      j({ ...ref, documentId: 'nope', contentBase64: file('x') }),
    );
    await m.refused('FORBIDDEN', ids.foreign, 'Documents', 'Verify', j({ ...ref, contentBase64: file('x') }));
  });
});
