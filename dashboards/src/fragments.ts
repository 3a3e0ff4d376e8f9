/**
 * SQL fragments more than one dashboard uses, so the fleet wallboard and the printer dashboard
 * cannot disagree about which toner is "low" or which disk is "at risk".
 */

/** Supplies below this percent (or reported empty) need ordering: about two weeks of normal office printing. */
export const SUPPLY_LOW_PERCENT = 15
/** A waste-toner box (a receptacle that is filled) needs replacing from this percent full. */
export const WASTE_FULL_PERCENT = 90

/** One row per printer supply, from the poller's latest state: `d` (device), `s.supply` (jsonb). */
export const PRINTER_SUPPLIES = `device d cross join lateral jsonb_array_elements(coalesce(d.state->'printer'->'supplies', '[]'::jsonb)) as s(supply)`

export const SUPPLY_PERCENT = `(s.supply->>'percent')::float8`

export const SUPPLY_NEEDS_ATTENTION = `(case when s.supply->>'supplyClass' = 'receptacleThatIsFilled'
        then coalesce(${SUPPLY_PERCENT} >= ${WASTE_FULL_PERCENT}, false)
        else s.supply->>'state' = 'empty' or coalesce(${SUPPLY_PERCENT} <= ${SUPPLY_LOW_PERCENT}, false) end)`

/**
 * Latest disk health readings that mean "plan a replacement": SMART verdict warning or failing,
 * an NVMe critical warning, sectors pending or reallocated, NVMe media errors.
 * Over `lv` from sql.latestValues.
 */
export const DISK_RISK_METRICS = `(lv.l_metric = 'disk.smart_ok' and lv.l_value between 0 and 0.99)
      or (lv.l_metric = 'nvme.critical_warning' and lv.l_value > 0)
      or (lv.l_metric in ('smart.pending_sectors', 'smart.reallocated_sectors', 'smart.reported_uncorrectable', 'nvme.media_errors') and lv.l_value > 0)`

export const DISK_RISK_LABEL = `case lv.l_metric
      when 'disk.smart_ok' then case when lv.l_value = 0 then 'SMART failing' else 'SMART warning' end
      when 'nvme.critical_warning' then 'NVMe critical warning'
      when 'smart.pending_sectors' then 'pending sectors'
      when 'smart.reallocated_sectors' then 'reallocated sectors'
      when 'smart.reported_uncorrectable' then 'uncorrectable errors'
      else 'NVMe media errors' end`
