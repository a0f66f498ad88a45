// A backup policy: when backups run (ISO 8601 repeating intervals) and how long recovery points are
// kept (a default duration plus FirstOfDay/Week/Month/Year rules), named after Azure's BackupPolicy.
// The mapping to Azure's BackupPolicy, field by field, is in docs/configuration.md.
import { z } from "zod";
import { Iso8601Error, parseDuration, parseRepeatingInterval, parseUtcOffset } from "../schedule/iso8601.js";
import { repeatedValues } from "./issues.js";
import { nameSchema } from "./names.js";

export const RETENTION_CRITERIA = ["FirstOfDay", "FirstOfWeek", "FirstOfMonth", "FirstOfYear"] as const;
export type RetentionCriteria = (typeof RETENTION_CRITERIA)[number];

function iso8601Schema(parse: (text: string) => unknown) {
  return z.string().superRefine((text, ctx) => {
    try {
      parse(text);
    } catch (error) {
      if (!(error instanceof Iso8601Error)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
    }
  });
}

/** An ISO 8601 duration longer than zero (`P7D`, `PT4H`, `P12W`, `P1Y`), kept as written. */
export const isoDurationSchema = iso8601Schema(parseDuration);

export const retentionRuleSchema = z.strictObject({
  criteria: z.enum(RETENTION_CRITERIA),
  duration: isoDurationSchema,
});

export const retentionSchema = z
  .strictObject({
    default: isoDurationSchema,
    rules: z.array(retentionRuleSchema).default([]),
  })
  .superRefine(
    (retention, ctx) => {
      if (typeof retention !== "object" || retention === null) return;
      for (const { index, value } of repeatedValues(retention.rules, "criteria")) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", index, "criteria"],
          message: `${value} appears more than once; give each criteria one rule`,
        });
      }
    },
    { when: () => true },
  );

/** A repeating interval `R/<start>/<duration>` whose start carries its UTC offset. */
export const repeatingIntervalSchema = iso8601Schema((text) => parseRepeatingInterval(text));

export const policySchema = z.strictObject({
  name: nameSchema(),
  /** Several intervals are combined, as Azure allows several repeatingTimeIntervals. */
  schedule: z.array(repeatingIntervalSchema).min(1),
  /** UTC offset (`Z`, `+05:30`) in which days, weeks, months and years start for retention tags. */
  timeZone: iso8601Schema(parseUtcOffset).optional(),
  retention: retentionSchema,
});

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type Retention = Policy["retention"];
export type RetentionRule = z.output<typeof retentionRuleSchema>;

/**
 * The offset a policy's calendar (retention tags) uses: its timeZone, else the offset written in its
 * first schedule entry, else UTC. Only for a policy that passed `policySchema`.
 */
export function policyOffsetMinutes(policy: Pick<Policy, "timeZone" | "schedule">): number {
  if (policy.timeZone !== undefined) return parseUtcOffset(policy.timeZone);
  const first = policy.schedule[0];
  return first === undefined ? 0 : parseRepeatingInterval(first).start.offsetMinutes;
}
