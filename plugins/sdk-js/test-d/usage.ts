// Compiled by `npm run check` (never run): a TypeScript policy written
// against the SDK's declared API and the types generated from the WIT.

import {
  ActionKind, Decisions, Health, MemberState, MemoryHost, SnapshotBuilder, decideWith, definePolicy,
  type Decision, type SnapshotView, type wit,
} from '@fulcrum/policy-sdk';

interface Settings {
  ratio: number;
}

const fixedRatio = definePolicy<Settings>({
  metadata: {
    name: 'fixed-ratio', version: '0.1.0', description: 'Sets every member ratio',
    actionKinds: [ActionKind.MemberRatio, ActionKind.MemberState],
  },
  configure(settings: string): Settings {
    const { ratio = 10 } = JSON.parse(settings) as { ratio?: number };
    return { ratio };
  },
  decide({ ratio }: Settings, snapshot: SnapshotView): Decisions {
    const decisions = new Decisions();
    for (const member of snapshot.members) {
      const node = member.node;
      if (node?.health === Health.Unhealthy && member.state === MemberState.Enabled) {
        decisions.setMemberState(member.row, MemberState.Disabled, `${node.name} unhealthy`);
      } else if (member.ratio !== ratio) {
        decisions.setMemberRatio(member.row, ratio, 'fixed ratio');
      }
    }
    return decisions;
  },
});

const builder = new SnapshotBuilder();
const node = builder.node('n');
builder.gpu(node, { utilization: 0.5, health: Health.Healthy });
builder.member(builder.pool('p'), 'm', { node, ratio: 3 });
const snapshot: wit.Snapshot = builder.build();
const utilization: Uint8Array = snapshot.gpus.utilization;
const decided: Decision[] = decideWith(fixedRatio, fixedRatio.configure('{}'), snapshot, new MemoryHost()).toArray();
const output: wit.Decisions = Decisions.from(decided).toWit();
export { output, utilization };
