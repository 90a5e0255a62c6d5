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

  # Columns as the archive writes them (JSON names; Athena lowercases them, and the JSON SerDe matches keys without
  # regard to case). `type` is no column: it is the `type` partition, whose value every line repeats.
  columns = {
    # actors/protocol/drone-message.ts, plus what stream-to-storage adds on archiving: `timeSuspect` and
    # `clockOffMs` when the drone's clock is off (time.ts), `ingestedAt` (ISO-8601 UTC arrival time).
    drone_messages = [
      ["v", "int"], ["id", "string"], ["droneId", "string"], ["seq", "bigint"], ["time", "string"],
      ["location", "struct<lat:double,lon:double>"], ["violationCode", "int"], ["violationImageId", "string"],
      ["address", "string"], ["timeSuspect", "boolean"], ["clockOffMs", "bigint"], ["ingestedAt", "string"],
    ]
    # actors/protocol/nypd-ticket.ts
    nypd_tickets = [
      ["v", "int"], ["id", "string"], ["summonsNumber", "string"], ["issuedAt", "string"], ["issueDate", "string"],
      ["violationCode", "int"], ["violationDescription", "string"], ["plateId", "string"],
      ["registrationState", "string"], ["plateType", "string"], ["vehicleMake", "string"],
      ["vehicleBodyType", "string"], ["vehicleColor", "string"], ["vehicleYear", "int"], ["violationCounty", "string"],
      ["borough", "string"], ["violationPrecinct", "int"], ["issuerPrecinct", "int"], ["streetName", "string"],
      ["houseNumber", "string"], ["intersectingStreet", "string"], ["issuingAgency", "string"],
      ["lawSection", "int"], ["subDivision", "string"], ["violationTime", "string"], ["sourceFile", "string"],
      ["sourceLine", "bigint"],
    ]
    # actors/protocol/alarm.ts: the three events in one table, each line filling its own event's columns
    # (alarm.raised: messageId … clockOffMs; alarm.escalated: alarmId, level … by; alarm.resolved: alarmId,
    # decision, by, at, note).
    alarm_events = [
      ["v", "int"], ["id", "string"], ["messageId", "string"], ["droneId", "string"], ["violationCode", "int"],
      ["violationImageId", "string"], ["location", "struct<lat:double,lon:double>"], ["time", "string"],
      ["raisedAt", "string"], ["borough", "string"], ["address", "string"], ["messageHash", "string"],
      ["conflict", "boolean"], ["clockOffMs", "bigint"], ["alarmId", "string"], ["level", "int"],
      ["reason", "string"], ["afterMs", "bigint"], ["escalatedAt", "string"], ["by", "string"],
      ["decision", "string"], ["at", "string"], ["note", "string"],
    ]
  }

  # Which archive `type`s each relation holds.
  types = {
    drone_messages = ["drone.message"]
    nypd_tickets   = ["nypd.ticket"]
    alarm_events   = ["alarm.raised", "alarm.escalated", "alarm.resolved"]
  }

  # The projected partitions every hourly table shares: day (a date) and hour (two digits, 00-23), both strings as
  # written in the key. Athena computes each hour's location from the template; nothing is ever registered.
  hourly_projection = {
    "projection.enabled"           = "true"
    "projection.type.type"         = "enum"
    "projection.day.type"          = "date"
    "projection.day.format"        = "yyyy-MM-dd"
    "projection.day.range"         = "${var.archive_start_day},NOW"
    "projection.day.interval"      = "1"
    "projection.day.interval.unit" = "DAYS"
    "projection.hour.type"         = "integer"
    "projection.hour.range"        = "0,23"
    "projection.hour.digits"       = "2"
  }
  hourly_keys = [["type", "string"], ["day", "string"], ["hour", "string"]]

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

  # The hourly tables: <relation>_ndjson over archive/, <relation>_parquet over archive-parquet/ (same columns: the
  # compaction keeps the archive's names and types), and the compaction markers over archive-compacted/.
  hourly_tables = merge(
    { for rel, types in local.types : "${rel}_ndjson" => {
      prefix      = "archive", format = "json", types = types, columns = local.columns[rel]
      description = "The archive's gzip NDJSON batches of ${join(", ", types)} (an hour with a compaction marker is read from ${rel}_parquet instead: use the view ${rel})."
    } },
    { for rel, types in local.types : "${rel}_parquet" => {
      prefix      = "archive-parquet", format = "parquet", types = types, columns = local.columns[rel]
      description = "The Parquet compaction of ${join(", ", types)}, deduplicated by id; an hour counts only with its marker (compaction_markers): use the view ${rel}."
    } },
    { compaction_markers = {
      prefix      = "archive-compacted", format = "json", types = flatten(values(local.types))
      columns     = [["rows", "bigint"], ["sourceObjects", "bigint"], ["compactedAt", "string"]]
      description = "One row per compacted hour, written after its Parquet: the hour is read from Parquet, not NDJSON."
    } },
  )
}

resource "aws_glue_catalog_database" "this" {
  name        = local.database
  description = "PrestaCop's archive (${local.bucket}) for Athena: tables with projected partitions, and the views the statistics read."
  tags        = var.tags
}

resource "aws_glue_catalog_table" "hourly" {
  for_each = local.hourly_tables

  name          = each.key
  database_name = aws_glue_catalog_database.this.name
  description   = each.value.description
  table_type    = "EXTERNAL_TABLE"
  parameters = merge(local.hourly_projection, {
    EXTERNAL                    = "TRUE"
    classification              = each.value.format
    "projection.type.values"    = join(",", each.value.types)
    "storage.location.template" = "${local.bucket}/${each.value.prefix}/type=$${type}/day=$${day}/hour=$${hour}/"
  })

  dynamic "partition_keys" {
    for_each = local.hourly_keys
    content {
      name = partition_keys.value[0]
      type = partition_keys.value[1]
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
        name = lower(columns.value[0])
        type = lower(columns.value[1])
      }
    }
  }
}

# Dead letters (runtime/dead-letter.ts, one JSON object per file): partitioned by the key's actor (its own column
# `actor_key`, as the letter's `actor` column keeps the name as written, with its '/') and day.
resource "aws_glue_catalog_table" "dead_letters" {
  name          = "dead_letter_objects"
  database_name = aws_glue_catalog_database.this.name
  description   = "Every dead letter of the actors in projection.actor_key.values (use the view dead_letters)."
  table_type    = "EXTERNAL_TABLE"
  parameters = {
    EXTERNAL                       = "TRUE"
    classification                 = "json"
    "projection.enabled"           = "true"
    "projection.actor_key.type"    = "enum"
    "projection.actor_key.values"  = join(",", var.dead_letter_actors)
    "projection.day.type"          = "date"
    "projection.day.format"        = "yyyy-MM-dd"
    "projection.day.range"         = "${var.archive_start_day},NOW"
    "projection.day.interval"      = "1"
    "projection.day.interval.unit" = "DAYS"
    "storage.location.template"    = "${local.bucket}/dead-letter/actor=$${actor_key}/day=$${day}/"
  }

  partition_keys {
    name = "actor_key"
    type = "string"
  }
  partition_keys {
    name = "day"
    type = "string"
  }

  storage_descriptor {
    location      = "${local.bucket}/dead-letter/"
    input_format  = local.formats.json.input
    output_format = local.formats.json.output
    ser_de_info {
      serialization_library = local.formats.json.serde
      parameters            = local.formats.json.params
    }
    dynamic "columns" {
      for_each = [
        ["type", "string"], ["v", "int"], ["id", "string"], ["actor", "string"], ["errorTag", "string"],
        ["reasons", "array<string>"], ["rawBase64", "string"], ["attempts", "int"], ["at", "string"],
        ["source", "struct<stream:string,shardId:string,sequence:string,subSequence:bigint,file:string,line:bigint>"],
      ]
      content {
        name = lower(columns.value[0])
        type = lower(columns.value[1])
      }
    }
  }
}
