import { Type, type Static } from '@sinclair/typebox'
import { EpochMs, ShortText } from './common.js'
import { SnmpTarget } from './snmp.js'

/**
 * `config` (collector → agent, retained): settings the collector pushes to one agent. The agent
 * applies them without a restart; fields left out keep the agent's own value.
 */
export const AgentConfigMessage = Type.Object(
  {
    v: Type.Literal(1),
    kind: Type.Literal('config'),
    issuedAt: EpochMs,
    intervalS: Type.Optional(Type.Integer({ minimum: 5, maximum: 86_400 })),
    inventoryIntervalS: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 86_400 })),
    smartIntervalS: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 86_400 })),
    watchedServices: Type.Optional(Type.Array(ShortText, { maxItems: 200 })),
    /** Turns on the poller role: the site's printers, switches and UPSs this agent polls. */
    poller: Type.Optional(
      Type.Object(
        {
          targets: Type.Array(SnmpTarget, { maxItems: 5000 }),
          intervalS: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })),
          concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 512 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type AgentConfigMessage = Static<typeof AgentConfigMessage>
