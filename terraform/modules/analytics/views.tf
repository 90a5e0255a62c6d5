# ---------------------------------------------------------------------------------------------------------------
# The logical relations every statistic reads (drone_messages, nypd_tickets, alarms, decisions, dead_letters; the
# same names DuckDB gives its views), as Athena views over the tables of glue.tf. Their text is the analysis's,
# generated from the same declaration as the tables (analysis/relations.ts athenaRelations, written to
# <athena_dir>/views/<relation>.sql by `npm run gen:athena-sql`): each hourly relation reads Parquet for an hour
# whose compaction marker exists and NDJSON for every other hour, so no message is counted twice (nor missed: the
# marker is written after the hour's Parquet).
#
# Terraform does not create them: a Glue view needs Presto's encoded definition, which only Athena writes.
# `npm run analysis -- --engine athena` runs the same CREATE OR REPLACE VIEW statements before its statistics;
# for the console, each is also a named query to run once after the first apply and again after an apply that
# changed them (docs/deploy.md, "Analysis on Athena"). They do not depend on each other: any order works.

locals {
  views_dir = "${var.athena_dir}/views"
  views     = { for f in fileset(local.views_dir, "*.sql") : trimsuffix(f, ".sql") => file("${local.views_dir}/${f}") }
}

resource "aws_athena_named_query" "view" {
  for_each = local.views

  name        = "${var.name_prefix}prestacop-setup-view-${each.key}"
  workgroup   = aws_athena_workgroup.this.id
  database    = aws_glue_catalog_database.this.name
  query       = each.value
  description = "One-time setup (after terraform apply, and when the views change): creates the view ${each.key} the statistics read."

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z][a-z0-9_]{0,127}$", each.key)) && strcontains(each.value, "CREATE OR REPLACE VIEW ${each.key} AS") && length(each.value) <= 262144
      error_message = "${local.views_dir}/${each.key}.sql must define the view ${each.key} (CREATE OR REPLACE VIEW ${each.key} AS ..., at most 262144 characters; regenerate with npm run gen:athena-sql)."
    }
  }
}
