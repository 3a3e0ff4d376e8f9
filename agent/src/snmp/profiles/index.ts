import type { Profile } from '../profile.js'
import { host } from './host.js'
import { printer } from './printer.js'
import { switchProfile } from './switch.js'
import { ups } from './ups.js'

/** Every profile, once. A contract test checks each file here is registered under its file name. */
export const PROFILES: readonly Profile[] = [printer, ups, host, switchProfile]
