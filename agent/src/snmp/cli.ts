import { Command, InvalidArgumentError, Option } from 'commander'
import { discover } from './discover.js'
import { pollDevice } from './poll.js'
import type { SnmpTarget } from './targets.js'
import { parseTarget } from './targets.js'

const int = (name: string) => (value: string) => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`)
  return n
}

interface AuthFlags {
  port?: number
  community?: string
  snmpVersion?: '1' | '2c'
  v3User?: string
  authProtocol?: string
  authKey?: string
  privProtocol?: string
  privKey?: string
  securityLevel?: string
  timeout?: number
  retries?: number
}

function addAuthOptions(command: Command): Command {
  return command
    .option('--port <port>', 'UDP port', int('--port'), 161)
    .option('--community <community>', 'SNMP v1/v2c community', 'public')
    .addOption(new Option('--snmp-version <version>', 'SNMP version for communities').choices(['1', '2c']).default('2c'))
    .option('--v3-user <user>', 'SNMPv3 user (switches to v3)')
    .addOption(new Option('--auth-protocol <protocol>', 'SNMPv3 auth protocol').choices(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).default('sha'))
    .option('--auth-key <key>', 'SNMPv3 auth pass phrase')
    .addOption(new Option('--priv-protocol <protocol>', 'SNMPv3 privacy protocol').choices(['des', 'aes', 'aes256b', 'aes256r']).default('aes'))
    .option('--priv-key <key>', 'SNMPv3 privacy pass phrase')
    .addOption(new Option('--security-level <level>', 'SNMPv3 security level').choices(['noAuthNoPriv', 'authNoPriv', 'authPriv']))
    .option('--timeout <ms>', 'timeout per request, ms', int('--timeout'), 2000)
    .option('--retries <n>', 'retries per request', int('--retries'), 1)
}

function v3From(flags: AuthFlags): SnmpTarget['v3'] | undefined {
  if (!flags.v3User) return undefined
  type Level = NonNullable<SnmpTarget['v3']>['securityLevel']
  const level = (flags.securityLevel ?? (flags.privKey ? 'authPriv' : flags.authKey ? 'authNoPriv' : 'noAuthNoPriv')) as Level
  const v3: NonNullable<SnmpTarget['v3']> = { user: flags.v3User, securityLevel: level }
  if (level !== 'noAuthNoPriv') {
    v3.authProtocol = (flags.authProtocol ?? 'sha') as 'sha'
    if (flags.authKey) v3.authKey = flags.authKey
  }
  if (level === 'authPriv') {
    v3.privProtocol = (flags.privProtocol ?? 'aes') as 'aes'
    if (flags.privKey) v3.privKey = flags.privKey
  }
  return v3
}

/** Builds the target a `snmp poll` command line describes; throws with the reason when it is wrong. */
export function targetFromFlags(host: string, flags: AuthFlags & { profile?: string }): SnmpTarget {
  const target: Record<string, unknown> = { host, port: flags.port ?? 161, timeoutMs: flags.timeout ?? 2000, retries: flags.retries ?? 1 }
  const v3 = v3From(flags)
  if (v3) target.v3 = v3
  else {
    target.version = flags.snmpVersion ?? '2c'
    target.community = flags.community ?? 'public'
  }
  if (flags.profile) target.profile = flags.profile
  return parseTarget(target)
}

/**
 * `snmp poll` and `snmp discover`: what an engineer runs from a laptop to check a printer or a
 * switch. Output is JSON on stdout; the exit code is 0 only when the device answered.
 */
export function registerSnmpCommands(program: Command): Command {
  const snmp = program.command('snmp').description('poll and discover SNMP devices (printers, switches, UPSs, servers)')

  addAuthOptions(
    snmp
      .command('poll')
      .description('poll one device now and print what the profiles parsed, as JSON')
      .requiredOption('--host <host>', 'device address')
      .option('--profile <name>', 'use this profile instead of choosing by what the device answers'),
  ).action(async (flags: AuthFlags & { host: string; profile?: string }) => {
    const target = targetFromFlags(flags.host, flags)
    const { result } = await pollDevice(target)
    // What an engineer looks for first (status, profile, parsed state) before the metric points.
    const { points, ...parsed } = result
    process.stdout.write(JSON.stringify({ ...parsed, points }, null, 2) + '\n')
    if (result.status !== 'ok') process.exitCode = 1
  })

  addAuthOptions(
    snmp
      .command('discover')
      .description('find SNMP devices in a host list or an IPv4 range and say which profile fits')
      .option('--hosts <list>', 'comma-separated addresses', (v: string) => v.split(',').map((h) => h.trim()).filter(Boolean))
      .option('--cidr <range>', 'IPv4 range, e.g. 192.0.2.0/24')
      .option('--concurrency <n>', 'hosts asked at once', int('--concurrency'), 64),
  ).action(async (flags: AuthFlags & { hosts?: string[]; cidr?: string; concurrency: number }) => {
    if (!flags.hosts && !flags.cidr) throw new InvalidArgumentError('give --hosts or --cidr')
    const v3 = v3From(flags)
    const candidates = await discover({
      ...(flags.hosts ? { hosts: flags.hosts } : {}),
      ...(flags.cidr ? { cidr: flags.cidr } : {}),
      port: flags.port ?? 161,
      community: flags.community ?? 'public',
      version: flags.snmpVersion ?? '2c',
      ...(v3 ? { v3 } : {}),
      timeoutMs: flags.timeout ?? 1000,
      retries: flags.retries ?? 0,
      concurrency: flags.concurrency,
    })
    process.stdout.write(JSON.stringify(candidates, null, 2) + '\n')
  })
  return snmp
}

/** A program with only the `snmp` commands, for `tsx` one-liners and tests; throws instead of exiting. */
export function createSnmpProgram(): Command {
  const program = new Command('patrol-agent').exitOverride()
  registerSnmpCommands(program)
  return program
}
