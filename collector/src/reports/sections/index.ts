/**
 * The registry: every section of the inspection report, in the order it is printed. Adding a
 * section means one file in this folder, one line here and its data type in ../model.ts.
 */
import type { Section, SectionId } from '../model.js'
import { availabilitySection } from './availability.js'
import { computersSection } from './computers.js'
import { findingsSection } from './findings.js'
import { inspectionsSection } from './inspections.js'
import { inventorySection } from './inventory.js'
import { networkSection } from './network.js'
import { printersSection } from './printers.js'
import { summarySection } from './summary.js'
import { ticketsSection } from './tickets.js'
import { upsSection } from './ups.js'

export const SECTIONS: readonly Section<SectionId>[] = [
  summarySection,
  findingsSection,
  availabilitySection,
  computersSection,
  printersSection,
  networkSection,
  upsSection,
  ticketsSection,
  inspectionsSection,
  inventorySection,
] as Section<SectionId>[]
