/** The fault tests report through the shared module, which `deno task faults:report` reads. */
export * from "../../scripts/lib/fault_report.ts";
