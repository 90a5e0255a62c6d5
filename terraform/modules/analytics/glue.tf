# PrestaCop's analysis on Amazon Athena: a Glue database over the archive bucket, with one table per kind of object
# the archive holds (gzip NDJSON batches, their Parquet compaction, the compaction markers, the dead letters), every
# partition PROJECTED from the key layout (no crawler, no MSCK REPAIR, nothing to run when an hour is added), an
# Athena workgroup that enforces its results' location, encryption and a per-query scan limit, one named query per
# statistic, and a role for the analysis with only what running them takes.
#
# The archive's layout (analysis/README.md, actors/stream-to-storage):
#   archive/type=<type>/day=YYYY-MM-DD/hour=HH/<shard>-<seq>-<hash>.ndjson.gz   one JSON object a line
#   archive-parquet/type=<type>/day=YYYY-MM-DD/hour=HH/part-<n>.parquet         an hour compacted (zstd)
#   archive-compacted/type=<type>/day=YYYY-MM-DD/hour=HH/marker.json            written last: the hour is compacted
#   dead-letter/actor=<actor, '/' as '.'>/day=YYYY-MM-DD/<id>.json                one dead letter

locals {
  database = replace("${var.name_prefix}prestacop", "-", "_")
  bucket   = "s3://${var.archive_bucket.name}"

  # The tables, as the analysis declares them (analysis/relations.ts GLUE_TABLES, written by `npm run
  # gen:athena-sql` to glue-tables.json): name => prefix, format (json or parquet), partitions, the archive types
  # an hourly table projects, columns (the JSON keys lowercased, as Athena names them; Hive types; a Parquet table's
  # are the compaction's own, analysis/archive/schema.ts), description.
  # The views (views/*.sql) are generated from the same declaration, so they read only what is created here.
  glue_tables_file = "${var.athena_dir}/glue-tables.json"
  glue             = jsondecode(file(local.glue_tables_file))

  # Two kinds of tables, by their partitions: hourly (type / day / hour, from the archive's keys) and the dead
  # letters (actor_key / day). Anything else is refused at plan (aws_glue_catalog_database.this).
  partition_kinds    = { hourly = "type,day,hour", dead_letters = "actor_key,day" }
  partition_kind     = { for name, t in local.glue : name => one([for k, p in local.partition_kinds : k if p == join(",", t.partitions)]) }
  dead_letter_tables = [for name, kind in local.partition_kind : name if kind == "dead_letters"]

  # Each kind's partitions, projected: Athena computes each location from the template; nothing is ever registered.
  # Both project the day (a date, as written in the key). Hourly tables: the archive types each holds, and the hour
  # (two digits, 00-23). Dead letters (runtime/dead-letter.ts, one JSON object per file): the key's actor (its own
  # column `actor_key`, as the letter's `actor` column keeps the name as written, with its '/').
  projected_day = {
    "projection.enabled"           = "true"
    "projection.day.type"          = "date"
    "projection.day.format"        = "yyyy-MM-dd"
    "projection.day.range"         = "${var.archive_start_day},NOW"
    "projection.day.interval"      = "1"
    "projection.day.interval.unit" = "DAYS"
  }
  projection = {
    hourly = {
      "projection.type.type"   = "enum"
      "projection.hour.type"   = "integer"
      "projection.hour.range"  = "0,23"
      "projection.hour.digits" = "2"
    }
    dead_letters = {
      "projection.actor_key.type"   = "enum"
      "projection.actor_key.values" = join(",", var.dead_letter_actors)
    }
  }
  partition_path = { hourly = "type=$${type}/day=$${day}/hour=$${hour}/", dead_letters = "actor=$${actor_key}/day=$${day}/" }

  formats = {
    # One JSON object a line, gzip (Athena decompresses by the .gz extension). A line that is not JSON reads as a
    # row of NULLs instead of failing the whole query: count `id IS NULL` to see them.
    json = {
      input  = "org.apache.hadoop.mapred.TextInputFormat"
      output = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
      serde  = "org.openx.data.jsonserde.JsonSerDe"
      params = { "ignore.malformed.json" = "true", "case.insensitive" = "true" }
    }
    parquet = {
      input  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
      output = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
      serde  = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      params = {}
    }
  }
}

resource "aws_glue_catalog_database" "this" {
  name        = local.database
  description = "PrestaCop's archive (${local.bucket}) for Athena: tables with projected partitions, and the views the statistics read."
  tags        = var.tags

  lifecycle {
    precondition {
      condition = (length(local.dead_letter_tables) == 1 && alltrue([for name, t in local.glue : (
        contains(values(local.partition_kinds), join(",", t.partitions)) && contains(keys(local.formats), t.format)
        && can(regex("^[a-z][a-z0-9_]{0,127}$", name)) && can(regex("^[a-z][a-z-]*$", t.prefix))
        && length(t.columns) > 0 && alltrue([for c in t.columns : can(regex("^[a-z][a-z0-9_]*$", c.name))])
      )]))
      error_message = "${local.glue_tables_file}: each table needs partitions type,day,hour or actor_key,day (exactly one dead-letter table), format json or parquet, a lowercase name and prefix, and lowercase columns. Regenerate it with npm run gen:athena-sql."
    }
  }
}

# One table per entry of glue-tables.json, of either kind.
resource "aws_glue_catalog_table" "this" {
  for_each = local.glue

  name          = each.key
  database_name = aws_glue_catalog_database.this.name
  description   = each.value.description
  table_type    = "EXTERNAL_TABLE"
  parameters = merge(local.projected_day, local.projection[local.partition_kind[each.key]], {
    EXTERNAL                    = "TRUE"
    classification              = each.value.format
    "storage.location.template" = "${local.bucket}/${each.value.prefix}/${local.partition_path[local.partition_kind[each.key]]}"
  }, local.partition_kind[each.key] == "hourly" ? { "projection.type.values" = join(",", each.value.types) } : {})

  dynamic "partition_keys" {
    for_each = each.value.partitions
    content {
      name = partition_keys.value
      type = "string"
    }
  }

  storage_descriptor {
    location      = "${local.bucket}/${each.value.prefix}/"
    input_format  = local.formats[each.value.format].input
    output_format = local.formats[each.value.format].output
    ser_de_info {
      serialization_library = local.formats[each.value.format].serde
      parameters            = local.formats[each.value.format].params
    }
    dynamic "columns" {
      for_each = each.value.columns
      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }
}
