import { expect } from 'chai';
import { agreedLeader, parseViewReport } from './leader';
import type { OrdererNode } from './topology';

const METRICS = `# HELP consensus_smartbft_view_leader_id The leader id.
# TYPE consensus_smartbft_view_leader_id gauge
consensus_smartbft_view_leader_id{channel="audit"} 3
consensus_smartbft_view_leader_id{channel="market"} 2
# TYPE consensus_smartbft_view_number gauge
consensus_smartbft_view_number{channel="audit"} 0
consensus_smartbft_view_number{channel="market"} 1
`;

function node(consenterId: number): OrdererNode {
  return { consenterId, id: `orderer${consenterId}` } as OrdererNode;
}

describe('finding the SmartBFT leader', () => {
  it("reads a channel's leader and view from an ordering node's metrics", () => {
    expect(parseViewReport(METRICS, 'market')).to.deep.equal({ leaderId: 2, view: 1 });
    expect(parseViewReport(METRICS, 'audit')).to.deep.equal({ leaderId: 3, view: 0 });
  });

  it('reports nothing for a channel the node does not order, or before it has a view', () => {
    expect(parseViewReport(METRICS, 'other')).to.equal(undefined);
    expect(parseViewReport('consensus_smartbft_view_leader_id{channel="market"} 0\n', 'market')).to.equal(undefined);
    expect(parseViewReport('', 'market')).to.equal(undefined);
  });

  it('takes the leader of the highest view, as most nodes in that view name it', () => {
    const nodes = [1, 2, 3, 4].map(node);
    const leader = agreedLeader(
      [{ leaderId: 1, view: 0 }, { leaderId: 2, view: 1 }, undefined, { leaderId: 2, view: 1 }],
      nodes,
    );
    expect(leader?.node.id).to.equal('orderer2');
    expect(leader).to.include({ leaderId: 2, view: 1, votes: 2 });
  });

  it('finds no leader when no node answers', () => {
    expect(agreedLeader([undefined, undefined], [node(1)])).to.equal(undefined);
  });
});
