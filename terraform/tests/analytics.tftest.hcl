# The analysis on Athena (modules/analytics) against a mocked AWS provider: the Glue tables and views the analysis
# generates (analysis/athena: glue-tables.json, views/*.sql; their columns are checked against each other on DuckDB
# by analysis/athena/views.spec.ts), projected partitions over the archive's layout, the enforcing workgroup, one
# named query per statistic file, and a least-privilege analysis role. The statistics are fixtures here
# (tests/fixtures/athena-queries); tests/root.tftest.hcl reads the real ones, analysis/athena/queries.

mock_provider "aws" {
  source = "./tests/mocks"
}

# This module's bucket is Athena's results, not the archive.
override_resource {
  target = aws_s3_bucket.results
  values = { arn = "arn:aws:s3:::prestacop-archive-athena-results" }
}

variables {
  archive_bucket      = { name = "prestacop-archive", arn = "arn:aws:s3:::prestacop-archive" }
  kms_key_arn         = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  region              = "us-east-1"
  account             = "123456789012"
  athena_dir          = "../analysis/athena"
  queries_dir         = "tests/fixtures/athena-queries"
  analysis_principals = ["arn:aws:iam::123456789012:role/analyst"]
}

run "workgroup_enforces_its_configuration" {
  command = apply
  module {
    source = "./modules/analytics"
  }

  assert {
    condition = (aws_athena_workgroup.this.configuration[0].enforce_workgroup_configuration
      && aws_athena_workgroup.this.configuration[0].engine_version[0].selected_engine_version == "Athena engine version 3"
    && aws_athena_workgroup.this.configuration[0].bytes_scanned_cutoff_per_query == 107374182400)
    error_message = "The workgroup enforces its configuration, runs engine 3 and cancels a query past 100 GiB by default."
  }
  assert {
    condition = (aws_athena_workgroup.this.configuration[0].result_configuration[0].output_location == "s3://prestacop-archive-athena-results/prestacop-analysis/"
      && aws_athena_workgroup.this.configuration[0].result_configuration[0].encryption_configuration[0].encryption_option == "SSE_KMS"
      && aws_athena_workgroup.this.configuration[0].result_configuration[0].encryption_configuration[0].kms_key_arn == var.kms_key_arn
    && aws_athena_workgroup.this.configuration[0].result_configuration[0].expected_bucket_owner == "123456789012")
    error_message = "Results go to the results bucket under the workgroup's prefix, encrypted with the project's key (SSE-KMS)."
  }
  assert {
    condition = (module.results_private.public_access_block.restrict_public_buckets && module.results_private.public_access_block.block_public_policy
      && one(module.results_private.encryption.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == var.kms_key_arn
      && jsondecode(module.results_private.policy.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false"
    && one(aws_s3_bucket_lifecycle_configuration.results.rule).expiration[0].days == 7)
    error_message = "The results bucket is private, encrypted with the key, TLS only, and its objects expire (7 days by default)."
  }
}

run "partitions_are_projected" {
  command = apply
  module {
    source = "./modules/analytics"
  }

  assert {
    condition     = aws_glue_catalog_database.this.name == "prestacop" && toset(keys(aws_glue_catalog_table.this)) == toset(["drone_messages_ndjson", "drone_messages_parquet", "nypd_tickets_ndjson", "nypd_tickets_parquet", "alarm_events_ndjson", "alarm_events_parquet", "compaction_markers", "dead_letter_objects"])
    error_message = "One database; NDJSON and Parquet tables per relation, the compaction markers and the dead letters."
  }
  # Every hourly table: type / day (yyyy-MM-dd, from archive_start_day to today) / hour (00-23), computed from the
  # key by a template: no crawler, no MSCK REPAIR.
  assert {
    condition = alltrue([for name, t in aws_glue_catalog_table.this : (
      t.parameters["projection.enabled"] == "true"
      && t.parameters["projection.type.type"] == "enum"
      && t.parameters["projection.day.type"] == "date" && t.parameters["projection.day.format"] == "yyyy-MM-dd"
      && t.parameters["projection.day.range"] == "2025-01-01,NOW" && t.parameters["projection.day.interval.unit"] == "DAYS"
      && t.parameters["projection.hour.type"] == "integer" && t.parameters["projection.hour.range"] == "0,23" && t.parameters["projection.hour.digits"] == "2"
      && [for k in t.partition_keys : k.name] == ["type", "day", "hour"]
    ) if name != "dead_letter_objects"])
    error_message = "Each hourly table projects type (enum), day (date, yyyy-MM-dd) and hour (integer 0-23, two digits)."
  }
  assert {
    condition = (aws_glue_catalog_table.this["drone_messages_ndjson"].parameters["storage.location.template"] == "s3://prestacop-archive/archive/type=$${type}/day=$${day}/hour=$${hour}/"
      && aws_glue_catalog_table.this["drone_messages_parquet"].parameters["storage.location.template"] == "s3://prestacop-archive/archive-parquet/type=$${type}/day=$${day}/hour=$${hour}/"
    && aws_glue_catalog_table.this["compaction_markers"].parameters["storage.location.template"] == "s3://prestacop-archive/archive-compacted/type=$${type}/day=$${day}/hour=$${hour}/")
    error_message = "The templates follow the archive's keys: archive/, archive-parquet/, archive-compacted/ then type=, day=, hour=."
  }
  assert {
    condition = (aws_glue_catalog_table.this["drone_messages_ndjson"].parameters["projection.type.values"] == "drone.message"
      && aws_glue_catalog_table.this["nypd_tickets_ndjson"].parameters["projection.type.values"] == "nypd.ticket"
      && aws_glue_catalog_table.this["alarm_events_ndjson"].parameters["projection.type.values"] == "alarm.raised,alarm.escalated,alarm.resolved"
    && toset(split(",", aws_glue_catalog_table.this["compaction_markers"].parameters["projection.type.values"])) == toset(["drone.message", "nypd.ticket", "alarm.raised", "alarm.escalated", "alarm.resolved"]))
    error_message = "Each table projects the archive types it holds; the markers every type."
  }
  assert {
    condition = (aws_glue_catalog_table.this["drone_messages_ndjson"].storage_descriptor[0].ser_de_info[0].serialization_library == "org.openx.data.jsonserde.JsonSerDe"
      && aws_glue_catalog_table.this["drone_messages_ndjson"].storage_descriptor[0].ser_de_info[0].parameters["ignore.malformed.json"] == "true"
    && aws_glue_catalog_table.this["drone_messages_parquet"].storage_descriptor[0].ser_de_info[0].serialization_library == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")
    error_message = "NDJSON is read by the JSON SerDe (a malformed line reads as NULLs, not a failed query); Parquet by Parquet's."
  }
  assert {
    condition = ([for c in aws_glue_catalog_table.this["drone_messages_ndjson"].storage_descriptor[0].columns : c.name] == [
      "v", "id", "droneid", "seq", "time", "location", "violationcode", "violationimageid", "address", "timesuspect", "clockoffms", "ingestedat"]
      && [for c in aws_glue_catalog_table.this["drone_messages_parquet"].storage_descriptor[0].columns : "${c.name}:${c.type}"] == [
        "id:string", "v:int", "droneid:string", "seq:bigint", "time:string", "lat:decimal(9,6)", "lon:decimal(9,6)", "address:string", "violationcode:int",
    "violationimageid:string", "timesuspect:boolean", "clockoffms:bigint", "ingestedat:string", "borough:string", "m96:boolean"])
    error_message = "Drone messages: the protocol's fields plus timeSuspect, clockOffMs and ingestedAt in NDJSON; in Parquet the compaction's columns (analysis/archive/schema.ts: flat lat/lon, the place), less the partition type."
  }
  assert {
    condition = (length(aws_glue_catalog_table.this["nypd_tickets_ndjson"].storage_descriptor[0].columns) == 27
      && [for c in aws_glue_catalog_table.this["nypd_tickets_parquet"].storage_descriptor[0].columns : c.type] == [for i in range(27) : "string"]
    && contains([for c in aws_glue_catalog_table.this["alarm_events_ndjson"].storage_descriptor[0].columns : c.name], "decision"))
    error_message = "Tickets carry every field of nypd-ticket.ts (in Parquet each as its JSON text); alarm events the fields of all three events."
  }
  assert {
    condition = (aws_glue_catalog_table.this["dead_letter_objects"].parameters["projection.actor_key.type"] == "enum"
      && contains(split(",", aws_glue_catalog_table.this["dead_letter_objects"].parameters["projection.actor_key.values"]), "stream-to-storage.drones")
      && aws_glue_catalog_table.this["dead_letter_objects"].parameters["storage.location.template"] == "s3://prestacop-archive/dead-letter/actor=$${actor_key}/day=$${day}/"
    && [for k in aws_glue_catalog_table.this["dead_letter_objects"].partition_keys : k.name] == ["actor_key", "day"])
    error_message = "Dead letters project the key's actor (no '/' in it) and day."
  }
  # Each kind has exactly its own parameters (one resource declares both kinds: nothing of one leaks into the other).
  assert {
    condition = (toset(keys(aws_glue_catalog_table.this["drone_messages_parquet"].parameters)) == toset([
      "EXTERNAL", "classification", "storage.location.template", "projection.enabled", "projection.type.type", "projection.type.values",
      "projection.day.type", "projection.day.format", "projection.day.range", "projection.day.interval", "projection.day.interval.unit",
      "projection.hour.type", "projection.hour.range", "projection.hour.digits"])
      && toset(keys(aws_glue_catalog_table.this["dead_letter_objects"].parameters)) == toset([
        "EXTERNAL", "classification", "storage.location.template", "projection.enabled", "projection.actor_key.type", "projection.actor_key.values",
      "projection.day.type", "projection.day.format", "projection.day.range", "projection.day.interval", "projection.day.interval.unit"])
      && aws_glue_catalog_table.this["dead_letter_objects"].parameters["projection.day.range"] == "2025-01-01,NOW"
    && aws_glue_catalog_table.this["drone_messages_parquet"].parameters["classification"] == "parquet")
    error_message = "An hourly table projects type, day and hour; the dead letters actor_key and day; nothing else."
  }
  # The tables are the analysis's declaration (analysis/relations.ts GLUE_TABLES, generated into glue-tables.json),
  # column for column: the views generated from the same declaration read these columns.
  assert {
    condition = alltrue([for name, t in jsondecode(file("../analysis/athena/glue-tables.json")) : (
      [for c in aws_glue_catalog_table.this[name].storage_descriptor[0].columns : { name = c.name, type = c.type }] == t.columns
      && aws_glue_catalog_table.this[name].storage_descriptor[0].location == "s3://prestacop-archive/${t.prefix}/"
    )]) && length(aws_glue_catalog_table.this) == length(jsondecode(file("../analysis/athena/glue-tables.json")))
    error_message = "Each Glue table is the generated glue-tables.json's: its columns (names and types, in order) and its prefix."
  }
}

run "views_are_the_generated_files" {
  command = apply
  module {
    source = "./modules/analytics"
  }

  assert {
    condition = (toset(keys(aws_athena_named_query.view)) == toset(["drone_messages", "nypd_tickets", "alarms", "decisions", "dead_letters"])
    && alltrue([for name, q in aws_athena_named_query.view : q.query == file("../analysis/athena/views/${name}.sql") && q.name == "prestacop-setup-view-${name}"]))
    error_message = "One setup query per logical relation the statistics read, its text the generated analysis/athena/views/<relation>.sql."
  }
  assert {
    condition = alltrue([for name in ["drone_messages", "nypd_tickets", "alarms", "decisions"] : (
      strcontains(aws_athena_named_query.view[name].query, "_ndjson AS n WHERE")
      && strcontains(aws_athena_named_query.view[name].query, "AND NOT EXISTS (SELECT 1 FROM compaction_markers AS m WHERE m.\"type\" = n.\"type\" AND m.\"day\" = n.\"day\" AND m.\"hour\" = n.\"hour\")")
      && strcontains(aws_athena_named_query.view[name].query, "_parquet AS p WHERE")
      && strcontains(aws_athena_named_query.view[name].query, "AND EXISTS (SELECT 1 FROM compaction_markers AS m WHERE m.\"type\" = p.\"type\" AND m.\"day\" = p.\"day\" AND m.\"hour\" = p.\"hour\")")
    )])
    error_message = "Each hourly view reads NDJSON where no marker exists and Parquet where one does, never both."
  }
  # The columns a view reads from its hourly tables (n."<column>" from the NDJSON one, p."<column>" from the Parquet
  # one) are theirs (analysis/athena/views.spec.ts binds every view to these tables on DuckDB, and runs it on the
  # compaction's own Parquet).
  assert {
    condition = alltrue([for name in ["drone_messages", "nypd_tickets", "alarms", "decisions"] : alltrue([
      for side in regexall("FROM ([a-z_]+) AS ([np]) WHERE", aws_athena_named_query.view[name].query) : alltrue([
        for c in flatten(regexall("${side[1]}\\.\"([a-z_0-9]+)\"", aws_athena_named_query.view[name].query)) :
        contains(concat([for col in aws_glue_catalog_table.this[side[0]].storage_descriptor[0].columns : col.name], [for k in aws_glue_catalog_table.this[side[0]].partition_keys : k.name]), c)
      ])
    ])])
    error_message = "A view reads a column its tables do not have."
  }
  assert {
    condition = (strcontains(aws_athena_named_query.view["alarms"].query, "n.\"type\" = 'alarm.raised'") && strcontains(aws_athena_named_query.view["alarms"].query, "p.\"type\" = 'alarm.raised'")
    && strcontains(aws_athena_named_query.view["decisions"].query, "n.\"type\" = 'alarm.resolved'") && strcontains(aws_athena_named_query.view["decisions"].query, "p.\"type\" = 'alarm.resolved'"))
    error_message = "alarms are the alarm.raised events, decisions the alarm.resolved ones."
  }
  assert {
    condition     = alltrue([for q in aws_athena_named_query.view : q.database == "prestacop" && q.workgroup == aws_athena_workgroup.this.id])
    error_message = "The setup queries run in the workgroup, on the database."
  }
}

# A hand-edited or foreign glue-tables.json (a table of partitions this module does not project) is refused at plan.
run "foreign_tables_are_refused" {
  command = plan
  module {
    source = "./modules/analytics"
  }
  variables {
    athena_dir = "tests/fixtures/athena-foreign-tables"
  }
  expect_failures = [aws_glue_catalog_database.this]
}

# So is a view file that does not define the view it is named after.
run "a_foreign_view_is_refused" {
  command = plan
  module {
    source = "./modules/analytics"
  }
  variables {
    athena_dir = "tests/fixtures/athena-foreign-view"
  }
  expect_failures = [aws_athena_named_query.view]
}

run "one_named_query_per_statistic" {
  command = apply
  module {
    source = "./modules/analytics"
  }

  assert {
    condition     = toset(keys(aws_athena_named_query.statistic)) == toset(["violations_by_code", "dead_letters_by_reason"])
    error_message = "One named query per .sql file of queries_dir."
  }
  assert {
    condition = (aws_athena_named_query.statistic["violations_by_code"].query == file("tests/fixtures/athena-queries/violations_by_code.sql")
      && aws_athena_named_query.statistic["violations_by_code"].name == "prestacop-violations_by_code"
      && aws_athena_named_query.statistic["violations_by_code"].database == "prestacop"
    && aws_athena_named_query.statistic["violations_by_code"].workgroup == aws_athena_workgroup.this.id)
    error_message = "A statistic's named query is its file's text, on the database, in the workgroup."
  }
  assert {
    condition = (startswith(aws_athena_named_query.statistic["violations_by_code"].description, "Violations reported by drones, by violation code")
    && aws_athena_named_query.statistic["dead_letters_by_reason"].description == "PrestaCop statistic dead_letters_by_reason")
    error_message = "A statistic's description is its file's leading comment, or its name."
  }
}

run "an_empty_statistic_is_refused" {
  command = plan
  module {
    source = "./modules/analytics"
  }
  variables {
    queries_dir = "tests/fixtures/athena-queries-empty"
  }
  expect_failures = [aws_athena_named_query.statistic]
}

# Least privilege: named actions on named resources; the only wildcards are object keys under the archive's
# prefixes and the workgroup's results prefix.
run "analysis_role_is_least_privilege" {
  command = apply
  module {
    source = "./modules/analytics"
  }

  assert {
    condition = alltrue(flatten([for st in jsondecode(aws_iam_role_policy.analysis[0].policy).Statement : [
      st.Effect == "Allow",
      alltrue([for a in st.Action : !strcontains(a, "*")]),
      alltrue([for r in st.Resource : !strcontains(r, "*") || anytrue([
        for p in ["arn:aws:s3:::prestacop-archive/archive/", "arn:aws:s3:::prestacop-archive/archive-parquet/", "arn:aws:s3:::prestacop-archive/archive-compacted/", "arn:aws:s3:::prestacop-archive/dead-letter/", "arn:aws:s3:::prestacop-archive-athena-results/prestacop-analysis/"] :
        r == "${p}*"
      ])]),
    ]]))
    error_message = "The analysis role allows a wildcard action, or a wildcard resource beyond the archive's and the results' object prefixes."
  }
  assert {
    condition = jsonencode({ for st in jsondecode(aws_iam_role_policy.analysis[0].policy).Statement : st.Sid => sort(st.Action) }) == jsonencode({
      QueriesInTheWorkgroup = ["athena:BatchGetNamedQuery", "athena:BatchGetQueryExecution", "athena:GetNamedQuery", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:GetQueryRuntimeStatistics", "athena:GetWorkGroup", "athena:ListNamedQueries", "athena:ListQueryExecutions", "athena:StartQueryExecution", "athena:StopQueryExecution"]
      AthenaCatalog         = ["athena:GetDataCatalog", "athena:GetDatabase", "athena:GetTableMetadata", "athena:ListDatabases", "athena:ListTableMetadata"]
      ReadTheDatabase       = ["glue:BatchGetPartition", "glue:GetDatabase", "glue:GetPartition", "glue:GetPartitions", "glue:GetTable", "glue:GetTables"]
      DefineTheViews        = ["glue:CreateTable", "glue:UpdateTable"]
      ReadTheArchive        = ["s3:GetObject"]
      ListTheArchive        = ["s3:ListBucket"]
      BucketLocations       = ["s3:GetBucketLocation"]
      WriteResults          = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"]
      ListResults           = ["s3:ListBucket", "s3:ListBucketMultipartUploads"]
      DataKeyViaS3          = ["kms:Decrypt", "kms:GenerateDataKey"]
    })
    error_message = "The analysis role's statements: queries in its workgroup, the catalog, reading the database and defining its views, reading the archive, writing results, the key via S3. Nothing else."
  }
  assert {
    condition = jsonencode({ for st in jsondecode(aws_iam_role_policy.analysis[0].policy).Statement : st.Sid => st.Resource if contains(["QueriesInTheWorkgroup", "ReadTheArchive", "WriteResults", "DataKeyViaS3"], st.Sid) }) == jsonencode({
      QueriesInTheWorkgroup = ["arn:aws:athena:us-east-1:123456789012:workgroup/prestacop-analysis"]
      ReadTheArchive        = ["arn:aws:s3:::prestacop-archive/archive/*", "arn:aws:s3:::prestacop-archive/archive-compacted/*", "arn:aws:s3:::prestacop-archive/archive-parquet/*", "arn:aws:s3:::prestacop-archive/dead-letter/*"]
      WriteResults          = ["arn:aws:s3:::prestacop-archive-athena-results/prestacop-analysis/*"]
      DataKeyViaS3          = [var.kms_key_arn]
    })
    error_message = "Athena on the workgroup only; S3 reads of the archive's four prefixes; writes under the results prefix; the project's key."
  }
  assert {
    condition = alltrue([for st in jsondecode(aws_iam_role_policy.analysis[0].policy).Statement : alltrue([
      for r in st.Resource : startswith(r, "arn:aws:glue:us-east-1:123456789012:catalog") || startswith(r, "arn:aws:glue:us-east-1:123456789012:database/prestacop") || startswith(r, "arn:aws:glue:us-east-1:123456789012:table/prestacop/")
    ]) if startswith(st.Action[0], "glue:")])
    error_message = "Glue: the catalog, the database and its own tables and views only."
  }
  assert {
    condition = ([for st in jsondecode(aws_iam_role_policy.analysis[0].policy).Statement : st.Resource if st.Sid == "DefineTheViews"][0] == [
      "arn:aws:glue:us-east-1:123456789012:catalog", "arn:aws:glue:us-east-1:123456789012:database/prestacop",
      "arn:aws:glue:us-east-1:123456789012:table/prestacop/alarms", "arn:aws:glue:us-east-1:123456789012:table/prestacop/dead_letters",
      "arn:aws:glue:us-east-1:123456789012:table/prestacop/decisions", "arn:aws:glue:us-east-1:123456789012:table/prestacop/drone_messages",
    "arn:aws:glue:us-east-1:123456789012:table/prestacop/nypd_tickets"])
    error_message = "The role may create or replace the five views, not the tables over the archive."
  }
  assert {
    condition = ([for st in jsondecode(aws_iam_role_policy.analysis[0].policy).Statement : st.Condition.StringEquals["kms:ViaService"] if st.Sid == "DataKeyViaS3"][0] == "s3.us-east-1.amazonaws.com"
    && [for st in jsondecode(aws_iam_role_policy.analysis[0].policy).Statement : st.Condition.StringLike["s3:prefix"] if st.Sid == "ListTheArchive"][0] == ["archive/*", "archive-compacted/*", "archive-parquet/*", "dead-letter/*"])
    error_message = "The key is used through S3 only; listing the archive is limited to the prefixes Athena reads."
  }
  assert {
    condition = (jsondecode(aws_iam_role.analysis[0].assume_role_policy).Statement[0].Principal.AWS == ["arn:aws:iam::123456789012:role/analyst"]
    && jsondecode(aws_iam_role.analysis[0].assume_role_policy).Statement[0].Action == "sts:AssumeRole")
    error_message = "Only analysis_principals may assume the role."
  }
}

run "no_principals_no_role" {
  command = plan
  module {
    source = "./modules/analytics"
  }
  variables {
    analysis_principals = []
  }
  assert {
    condition     = length(aws_iam_role.analysis) == 0 && length(aws_iam_role_policy.analysis) == 0
    error_message = "Without analysis_principals nobody may assume a role, so none is created."
  }
}

run "console_listing_is_the_only_wildcard" {
  command = apply
  module {
    source = "./modules/analytics"
  }
  variables {
    console_listing = true
  }
  assert {
    condition = jsonencode([for st in jsondecode(aws_iam_role_policy.analysis[0].policy).Statement : [st.Sid, sort(st.Action)] if contains(st.Resource, "*")]) == jsonencode([
    ["ConsoleListing", ["athena:ListDataCatalogs", "athena:ListEngineVersions", "athena:ListWorkGroups"]]])
    error_message = "console_listing adds the console's list calls on \"*\" (they have no other resource), and nothing else on \"*\"."
  }
}

run "without_the_key" {
  command = plan
  module {
    source = "./modules/analytics"
  }
  variables {
    kms_key_arn = null
  }
  assert {
    condition = (aws_athena_workgroup.this.configuration[0].result_configuration[0].encryption_configuration[0].encryption_option == "SSE_S3"
      && one(module.results_private.encryption.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    && !strcontains(aws_iam_role_policy.analysis[0].policy, "kms:"))
    error_message = "Without the project's key, results are encrypted with S3's (SSE-S3) and the role has no KMS statement."
  }
}

run "scan_cutoff_is_configurable" {
  command = plan
  module {
    source = "./modules/analytics"
  }
  variables {
    bytes_scanned_cutoff = 10485760
  }
  assert {
    condition     = aws_athena_workgroup.this.configuration[0].bytes_scanned_cutoff_per_query == 10485760
    error_message = "bytes_scanned_cutoff sets the workgroup's per-query limit (10 MB is Athena's minimum)."
  }
}

run "scan_cutoff_below_10_mb_is_refused" {
  command = plan
  module {
    source = "./modules/analytics"
  }
  variables {
    bytes_scanned_cutoff = 10485759
  }
  expect_failures = [var.bytes_scanned_cutoff]
}

run "a_wildcard_principal_is_refused" {
  command = plan
  module {
    source = "./modules/analytics"
  }
  variables {
    analysis_principals = ["*"]
  }
  expect_failures = [var.analysis_principals]
}

run "a_wildcard_role_name_is_refused" {
  command = plan
  module {
    source = "./modules/analytics"
  }
  variables {
    analysis_principals = ["arn:aws:iam::123456789012:role/*"]
  }
  expect_failures = [var.analysis_principals]
}

run "a_slash_in_a_dead_letter_actor_is_refused" {
  command = plan
  module {
    source = "./modules/analytics"
  }
  variables {
    dead_letter_actors = ["stream-to-storage/drones"]
  }
  expect_failures = [var.dead_letter_actors]
}

run "an_impossible_start_day_is_refused" {
  command = plan
  module {
    source = "./modules/analytics"
  }
  variables {
    archive_start_day = "2025-02-30"
  }
  expect_failures = [var.archive_start_day]
}
