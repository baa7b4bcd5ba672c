import { expect } from 'chai';
import { failoverFigures } from './failover';

describe('leader failover figures', () => {
  it('measures the longest block gap from the last block before the kill, and when later submissions commit', () => {
    const blocks = [100, 350, 600, 4_600, 4_700, 4_950];
    expect(failoverFigures(blocks, 700, [4_650, 4_900])).to.deep.equal({ stallMs: 4_000, resumeMs: 3_950 });
  });

  it('counts from the kill when no block came before it', () => {
    expect(failoverFigures([3_000], 1_000, [3_000])).to.deep.equal({ stallMs: 2_000, resumeMs: 2_000 });
  });

  it('has no figures until a block and a later submission have committed after the kill', () => {
    expect(failoverFigures([100, 200], 500, [600])).to.equal(undefined);
    expect(failoverFigures([100, 900], 500, [])).to.equal(undefined);
  });
});
