# The analysis on Amazon Athena (modules/analytics): Glue tables with projected partitions over the archive, the
# views the statistics read (named queries, run once), an enforcing workgroup, one named query per statistic of
# analysis/athena/queries, and the analysis role. Tables, views and statistics are the analysis's generated files
# (analysis/athena: glue-tables.json, views/, queries/; npm run gen:athena-sql). docs/deploy.md, "Analysis on Athena".

module "analytics" {
  source = "./modules/analytics"

  name_prefix            = var.name_prefix
  archive_bucket         = module.data_plane.bucket
  kms_key_arn            = local.kms_key_arn
  region                 = local.region
  account                = local.account
  partition              = local.partition
  athena_dir             = "${path.module}/../analysis/athena"
  queries_dir            = var.athena.queries_dir
  analysis_principals    = var.athena.analysis_principals
  bytes_scanned_cutoff   = var.athena.bytes_scanned_cutoff
  archive_start_day      = var.athena.archive_start_day
  dead_letter_actors     = var.athena.dead_letter_actors
  console_listing        = var.athena.console_listing
  results_bucket_name    = var.athena.results_bucket_name
  results_retention_days = var.athena.results_retention_days
  force_destroy          = var.allow_destroy
}
