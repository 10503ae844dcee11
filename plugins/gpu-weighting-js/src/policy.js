// gpu-weighting: weights load-balancer pool members by how much GPU capacity
// their node has free, and disables members on unhealthy nodes; the
// JavaScript port of plugins/gpu-weighting, making the same decisions.
//
// Settings, all optional (see settings.js):
//   { "memory_weight": 0.5, "compute_weight": 0.5, "min_ratio": 1, "max_ratio": 100,
//     "hot_temperature_c": 83, "hot_penalty": 0.5, "throttle_penalty": 0.3,
//     "smoothing": 0.5, "disable_unhealthy": true, "min_healthy_share": 1.0,
//     "pools": ["mlPool"] }

import { ActionKind, definePolicy } from '@fulcrum/policy-sdk';

import { decide } from './decide.js';
import { parseSettings } from './settings.js';

export default definePolicy({
  metadata: {
    name: 'gpu-weighting',
    version: '0.1.0',
    description: "Weights pool members by their node's free GPU capacity; disables members on unhealthy nodes",
    actionKinds: [ActionKind.MemberRatio, ActionKind.MemberState],
  },
  configure: parseSettings,
  decide,
});
