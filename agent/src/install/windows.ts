/**
 * Windows: a scheduled task that starts at boot as SYSTEM and restarts on failure, registered
 * with schtasks.exe from an XML definition. Why not `sc.exe create` with node.exe: the Service
 * Control Manager expects the process to call StartServiceCtrlDispatcher within 30 s; node.exe
 * does not, so such a "service" is killed with error 1053. The usual fix is a wrapper binary
 * (nssm, WinSW); a boot task gives the same lifecycle (start at boot, no user logged in, runs as
 * LocalSystem so smartctl has Administrator rights, restarted when it fails) with nothing extra
 * to ship. It appears in Task Scheduler as \patrol\patrol-agent.
 */
import type { LaunchCommand } from './launch.js'

export const WINDOWS_TASK_NAME = '\\patrol\\patrol-agent'

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** Windows command-line quoting for one argument (CommandLineToArgvW rules). */
export function windowsQuote(arg: string): string {
  if (arg && !/[\s"]/.test(arg)) return arg
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`
}

export function windowsTaskXml(launch: LaunchCommand, options: { configFile: string }): string {
  const args = [...launch.prefix, 'run', '--config', options.configFile].map(windowsQuote).join(' ')
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.4" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>patrol monitoring agent: health, inventory and disk SMART readings to the patrol collector</Description>
  </RegistrationInfo>
  <Triggers>
    <BootTrigger><Enabled>true</Enabled></BootTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>S-1-5-18</UserId>
      <RunLevel>HighestAvailable</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>7</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${xmlEscape(launch.executable)}</Command>
      <Arguments>${xmlEscape(args)}</Arguments>
    </Exec>
  </Actions>
</Task>
`
}
