/**
 * The systemd unit. The agent runs as root because smartctl needs raw disk access
 * (CAP_SYS_RAWIO, and CAP_SYS_ADMIN for NVMe); the hardening below keeps what that needs and
 * takes away the rest: the file system is read-only except the agent's state folder, no
 * privilege gain, no kernel tunables or modules. Deliberately NOT set: PrivateDevices (smartctl
 * opens /dev/sd*, /dev/nvme*), MemoryDenyWriteExecute (V8's JIT needs it), ProtectHome=yes
 * (a watched service may live there; read-only is enough), PrivateNetwork (it reports over MQTT).
 */
import type { LaunchCommand } from './launch.js'

export const SYSTEMD_UNIT_NAME = 'patrol-agent.service'
export const SYSTEMD_UNIT_PATH = `/etc/systemd/system/${SYSTEMD_UNIT_NAME}`

/** systemd's quoting for ExecStart: double quotes around words with spaces, backslash and quote escaped; % doubled. */
export function systemdQuote(word: string): string {
  const escaped = word.replace(/%/g, '%%')
  return /[\s"'\\;$]/.test(escaped) ? `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : escaped
}

export function systemdUnit(launch: LaunchCommand, options: { configFile: string; dataDir: string }): string {
  const exec = [launch.executable, ...launch.prefix, 'run', '--config', options.configFile].map(systemdQuote).join(' ')
  return `[Unit]
Description=patrol monitoring agent (health, inventory and disk SMART readings to the patrol collector)
Documentation=https://github.com/patrol-monitoring/patrol
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${exec}
Restart=on-failure
RestartSec=10s
TimeoutStopSec=20s
# Logs go to the journal; the agent never logs secrets.
StandardOutput=journal
StandardError=journal
# Runs as root for smartctl; the hardening keeps it to reading the machine and writing its state.
User=root
# Created by systemd before the start, so the read-only file system below cannot refuse the agent its state.
StateDirectory=patrol-agent
ReadWritePaths=${systemdQuote(options.dataDir)}
ProtectSystem=strict
ProtectHome=read-only
PrivateTmp=yes
NoNewPrivileges=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
# A monitoring agent must never be what slows the machine down.
Nice=10
IOSchedulingClass=idle
MemoryMax=256M

[Install]
WantedBy=multi-user.target
`
}
