# ---------------------------------------------------------------------------------------------------------------
# The logical relations every statistic reads (drone_messages, nypd_tickets, alarms, decisions, dead_letters; the
# same names DuckDB gives its views), as Athena views. Each hourly relation reads Parquet for an hour whose
# compaction marker exists and NDJSON for every other hour, so no message is counted twice (nor missed: the marker
# is written after the hour's Parquet). Columns: the archive's JSON names (lowercase in Athena), `type`, and the
# key's `day` and `hour` (strings: '2026-01-31', '07').
#
# Terraform does not create them: a Glue view needs Presto's encoded definition, which only Athena writes. Each is
# a named query, CREATE OR REPLACE VIEW, to run once after the first apply and again when a relation's columns
# change (docs/deploy.md, "Analysis on Athena"); they do not depend on each other, so any order works.

locals {
  alarm_raised_columns   = ["v", "id", "messageId", "droneId", "violationCode", "violationImageId", "location", "time", "raisedAt", "borough", "address", "messageHash", "conflict", "clockOffMs"]
  alarm_resolved_columns = ["v", "id", "alarmId", "decision", "by", "at", "note"]

  # A relation over the hourly tables `from`_ndjson and `from`_parquet: the given columns of the given types.
  view_sources = {
    drone_messages = { from = "drone_messages", types = local.types.drone_messages, columns = [for c in local.columns.drone_messages : c[0]] }
    nypd_tickets   = { from = "nypd_tickets", types = local.types.nypd_tickets, columns = [for c in local.columns.nypd_tickets : c[0]] }
    alarms         = { from = "alarm_events", types = ["alarm.raised"], columns = local.alarm_raised_columns }
    decisions      = { from = "alarm_events", types = ["alarm.resolved"], columns = local.alarm_resolved_columns }
  }

  hourly_views = {
    for name, v in local.view_sources : name => <<-SQL
      CREATE OR REPLACE VIEW ${name} AS
      SELECT ${join(", ", [for c in concat(["type"], v.columns, ["day", "hour"]) : "n.\"${lower(c)}\""])}
      FROM ${v.from}_ndjson AS n
      WHERE n."type" IN (${join(", ", [for t in v.types : "'${t}'"])})
        AND NOT EXISTS (SELECT 1 FROM compaction_markers AS m WHERE m."type" = n."type" AND m."day" = n."day" AND m."hour" = n."hour")
      UNION ALL
      SELECT ${join(", ", [for c in concat(["type"], v.columns, ["day", "hour"]) : "p.\"${lower(c)}\""])}
      FROM ${v.from}_parquet AS p
      WHERE p."type" IN (${join(", ", [for t in v.types : "'${t}'"])})
        AND EXISTS (SELECT 1 FROM compaction_markers AS m WHERE m."type" = p."type" AND m."day" = p."day" AND m."hour" = p."hour")
      SQL
  }

  views = merge(local.hourly_views, {
    dead_letters = <<-SQL
      CREATE OR REPLACE VIEW dead_letters AS
      SELECT ${join(", ", [for c in ["type", "v", "id", "actor", "errorTag", "reasons", "rawBase64", "attempts", "at", "source", "actor_key", "day"] : "d.\"${lower(c)}\""])}
      FROM dead_letter_objects AS d
      SQL
  })
}

resource "aws_athena_named_query" "view" {
  for_each = local.views

  name        = "${var.name_prefix}prestacop-setup-view-${each.key}"
  workgroup   = aws_athena_workgroup.this.id
  database    = aws_glue_catalog_database.this.name
  query       = each.value
  description = "One-time setup (after terraform apply, and when the archive's columns change): creates the view ${each.key} the statistics read."
}
